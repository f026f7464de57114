"""The engine's rules that keep a case going: fields required by an answer, plausible dates, tasks that
fall back up the line instead of going to nobody, and a case marked serious mid-way."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import InvalidInput, NotAllowed
from tests.conftest import DIAGRAMS, T0
from tests.scenario import open_task

RULES = DIAGRAMS / "case_rules.bpmn"
ASSESS = {"has_other_leader": False, "absent": False}


@pytest.fixture
def rules(vaern):
    vaern.deploy(RULES.read_bytes(), RULES.name, "admin", T0)
    return vaern


def _start(vaern, unit="afd-akut", **data):
    return vaern.start_case("case_rules", unit, {"employee_id": "ansat-akut", **data}, "ansat-akut", T0)


def _assess(vaern, case, person="leder-akut", when=T0, **values):
    item = open_task(vaern, person, case.id, "Task_assess", when)
    return vaern.complete_task(item.task_id, {**ASSESS, **values}, person, when)


def _actions(vaern, case_id):
    return [e.action for e in vaern.events(case_id)]


def test_a_yes_that_names_no_one_is_refused_with_the_question_it_answers(rules):
    case = _start(rules)
    with pytest.raises(InvalidInput) as refused:
        _assess(rules, case, has_other_leader=True)
    message = refused.value.errors["other_personnel_leader_id"]
    assert message.startswith("skal udfyldes") and "Har den anden part en anden personaleleder?" in message
    _assess(rules, case, has_other_leader=True, other_personnel_leader_id="leder-psyk")
    assert open_task(rules, "leder-psyk", case.id, "Task_other").role == "other_personnel_leader"


def test_dates_the_law_counts_from_must_be_plausible(rules):
    case = _start(rules)
    today = T0.date()
    cases = {
        "before the injury": dict(absent=True, injury_date=today.isoformat(),
                                  first_absence_day=(today - timedelta(days=30)).isoformat()),
        "in the future": dict(absent=True, injury_date=today.isoformat(),
                              first_absence_day=(today + timedelta(days=1)).isoformat()),
        "missing while absent": dict(absent=True, injury_date=today.isoformat()),
    }
    messages = {}
    for name, values in cases.items():
        with pytest.raises(InvalidInput) as refused:
            _assess(rules, case, **values)
        messages[name] = refused.value.errors["first_absence_day"]
    assert messages["before the injury"].startswith(f"kan ikke være før {today:%d.%m.%Y} (Skadesdato)")
    assert messages["in the future"].startswith("kan ikke ligge i fremtiden")
    assert "Er medarbejderen fraværende?" in messages["missing while absent"]
    with pytest.raises(InvalidInput) as refused:
        _assess(rules, case, injury_date=(today + timedelta(days=3)).isoformat())
    assert refused.value.errors["injury_date"].startswith("kan ikke ligge i fremtiden")
    _assess(rules, case, absent=True, injury_date=today.isoformat(), first_absence_day=today.isoformat())
    assert rules.case(case.id).data["first_absence_day"] == today.isoformat()


def test_a_lane_nobody_holds_goes_up_the_line_with_an_event_saying_why(rules):
    case = _start(rules, unit="afd-psyk")  # the psychiatric ward has no TR
    _assess(rules, case, person="leder-psyk")
    item = open_task(rules, "leder-psyk", case.id, "Task_tr")
    assert item.role == "leader"
    [fallback] = [e for e in rules.events(case.id) if e.action == "task_fallback"]
    assert fallback.details["lane"] == "tr" and fallback.details["role"] == "leader"
    assert fallback.details["reason"] == "no_tr_in_unit"
    assert "task_unassigned" not in _actions(rules, case.id)


def test_the_accused_lane_never_falls_back_to_someone_else(vaern):
    from engine.org.roles import fallback_roles

    assert fallback_roles("accused") == ()
    assert fallback_roles("other_personnel_leader")[0] == "leader"


def test_a_case_marked_serious_later_escalates_its_next_deadline_with_a_task_for_the_leaders_leader(rules):
    case = _start(rules)
    assert not case.serious
    marked = rules.mark_serious(case.id, 4, "leder-akut", T0 + timedelta(hours=1))
    assert marked.serious and rules.case(case.id).data["severity"] == 4
    assert rules.case_access(case.id, "hosp-leder") == "none"  # no task yet, so nothing to see
    rules.fire_due_timers(T0 + timedelta(days=2, minutes=1))
    assert rules.case(case.id).escalated
    escalation = open_task(rules, "hosp-leder", case.id, "Task_escalation", T0 + timedelta(days=2))
    assert escalation.role == "leaders_leader"
    assert rules.case_access(case.id, "hosp-leder") == "full"
    [notice] = [e for e in rules.events(case.id) if e.action == "notice"]
    assert notice.details["notice"] == "escalated" and set(notice.details["recipients"]) == {"tr-akut", "amr-akut"}
    assert ("case_marked_serious", "leder-akut") in [(e.action, e.actor) for e in rules.events(case.id)]
    # TR and AMR are told without a task of their own: the notice opens the case, which they may follow.
    [told] = [n for n in rules.notices("tr-akut") if n.case_id == case.id]
    assert told.kind == "escalated" and told.task_id is None
    assert rules.case_access(case.id, "tr-akut") == "timeline"
    assert rules.case_access(case.id, "kollega-akut") == "none"


def test_a_case_not_marked_serious_only_tells_the_leader_when_a_deadline_passes(rules):
    case = _start(rules)
    rules.fire_due_timers(T0 + timedelta(days=2, minutes=1))
    [notice] = [e for e in rules.events(case.id) if e.action == "notice"]
    assert notice.details["notice"] == "overdue" and notice.details["recipients"] == ["leder-akut"]
    assert not rules.case(case.id).escalated
    assert [t.spec_id for t in rules.tasks_of_case(case.id) if t.state == "open"] == ["Task_assess"]


def test_only_a_leader_of_the_case_may_mark_it_serious_and_only_from_1_to_5(rules):
    case = _start(rules)
    with pytest.raises(NotAllowed):
        rules.mark_serious(case.id, 3, "ansat-akut", T0)
    with pytest.raises(InvalidInput) as refused:
        rules.mark_serious(case.id, 7, "leder-akut", T0)
    assert "1 til 5" in refused.value.errors["severity"]
    assert not rules.case(case.id).serious and "case_marked_serious" not in _actions(rules, case.id)


def test_serious_stays_serious_when_the_case_started_as_not_serious(rules):
    case = _start(rules, serious=False)
    assert rules.mark_serious(case.id, 5, "leder-akut", T0).serious
    assert _assess(rules, case).serious and rules.case(case.id).serious
