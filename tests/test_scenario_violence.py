"""violence.bpmn through the engine, as its people would drive it: inboxes, forms, timers, notices."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0
from tests.scenario import deploy_guideline, do, open_specs

REPORT = {
    "employee_id": "ansat-akut", "reporter_id": "ansat-akut", "incident_at": "2026-11-26T07:15:00+01:00",
    "location": "Akutmodtagelsen, triage", "violence_type": "physical", "injured": False, "severity": 2,
    "witnesses_present": False, "witnesses": "", "serious": False,
    "description": "En pårørende skubbede medarbejderen ind i en dørkarm.",
}
NO_FOLLOW_UP = {"debriefing_needed": False, "psychologist_needed": False, "police_report": False,
                "vtc_registrar": "leader", "exposure_over_5_days": False}


@pytest.fixture
def guideline(vaern):
    deploy_guideline(vaern, T0, "violence")
    return vaern


def _start(vaern, **changes):
    return vaern.start_case("violence", "afd-akut", {**REPORT, **changes}, "ansat-akut", T0)


def _notices(vaern, case_id):
    return [(e.details["spec"], e.details["notice"], e.details["recipients"])
            for e in vaern.events(case_id) if e.action == "notice"]


def _follow_up_to_end(vaern, case_id, when):
    for spec in ("ensure_safety", "analyse_event", "adjust_workplace"):
        do(vaern, "leder-akut", case_id, spec, when)
    assert "wellbeing_check" not in open_specs(vaern, case_id)
    assert vaern.fire_due_timers(when + timedelta(days=28, minutes=1)) == 1
    later = when + timedelta(days=29)
    do(vaern, "leder-akut", case_id, "wellbeing_check", later)
    do(vaern, "leder-akut", case_id, "decide_learning", later, learning_into_prevention=True)
    do(vaern, "amr-akut", case_id, "amr_learning", later)
    return vaern.case(case_id)


def test_an_injured_employee_with_a_police_report_and_the_accident_deadline(guideline):
    v = guideline
    case = _start(v, injured=True, severity=4, witnesses_present=True, witnesses="Karl")
    assert open_specs(v, case.id) == {"first_talk": ["leder-akut"]}
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, debriefing_needed=True, debriefing_date="2026-11-28",
       psychologist_needed=True, police_report=True, vtc_registrar="employee", exposure_over_5_days=False)
    assert open_specs(v, case.id) == {
        "employee_accept_help": ["ansat-akut"], "register_vtc_employee": ["ansat-akut"],
        "debriefing": ["leder-akut"], "arrange_psychologist": ["leder-akut"],
        "record_absence": ["leder-akut"], "talk_witnesses": ["leder-akut"]}
    do(v, "leder-akut", case.id, "record_absence", T0, first_absence_day="2026-11-27", absent_beyond_injury_day=True)
    [report] = [t for t in v.tasks_of_case(case.id) if t.spec_id == "accident_report"]
    # LAW-1: 14 days from the first day of absence (27 Nov, Danish time) is 11 Dec.
    assert report.due_at.isoformat() == "2026-12-10T23:00:00+00:00"

    # The reminder comes on day 10, then escalation when the 14 days have passed; each once.
    v.fire_due_timers(T0 + timedelta(days=11))
    reminders = [n for n in _notices(v, case.id) if n[0] == "notify_accident_reminder"]
    assert reminders == [("notify_accident_reminder", "reminder", ["leder-akut"])]
    v.fire_due_timers(T0 + timedelta(days=15))
    v.fire_due_timers(T0 + timedelta(days=16))
    escalations = [n for n in _notices(v, case.id) if n[0] == "notify_accident_overdue"]
    assert escalations == [("notify_accident_overdue", "escalated", ["hosp-leder", "leder-akut"])]
    assert v.case(case.id).escalated
    [item] = [i for i in v.inbox("leder-akut", T0 + timedelta(days=16)) if i.title.startswith("Anmeld arbejdsulykke")]
    assert item.overdue and item.escalated

    late = T0 + timedelta(days=16)
    do(v, "leder-akut", case.id, "accident_report", late)
    for spec in ("debriefing", "arrange_psychologist", "police_report_task"):
        do(v, "leder-akut", case.id, spec, late)
    do(v, "leder-akut", case.id, "talk_witnesses", late, colleague_id="kollega-akut")
    assert "kollega-akut" in open_specs(v, case.id)["colleague_account"]
    do(v, "kollega-akut", case.id, "colleague_account", late)
    do(v, "ansat-akut", case.id, "employee_accept_help", late)
    do(v, "ansat-akut", case.id, "register_vtc_employee", late)
    closed = _follow_up_to_end(v, case.id, late)
    assert closed.status == "closed"
    assert {"police_report_task", "accident_report", "advise_doctor"} - {
        t.spec_id for t in v.tasks_of_case(case.id) if t.state == "completed"} == {"advise_doctor"}


def test_a_serious_case_with_no_action_escalates_to_the_leaders_leader_once(guideline):
    v = guideline
    case = _start(v, serious=True, severity=5)
    assert open_specs(v, case.id) == {"first_talk_serious": ["leder-akut"]}
    v.fire_due_timers(T0 + timedelta(days=1, minutes=1))
    assert _notices(v, case.id) == [("notify_first_action_reminder", "reminder", ["leder-akut"])]
    assert not v.case(case.id).escalated
    v.fire_due_timers(T0 + timedelta(days=6))
    assert not v.case(case.id).escalated  # five working days from Thursday is the next Thursday
    v.fire_due_timers(T0 + timedelta(days=7, minutes=1))
    v.fire_due_timers(T0 + timedelta(days=8))
    assert _notices(v, case.id)[1:] == [("notify_serious_escalated", "escalated", ["amr-akut", "tr-akut"])]
    assert v.case(case.id).escalated
    opened = open_specs(v, case.id)
    assert opened["escalation_leaders_leader"] == ["hosp-leder"]
    assert opened["escalation_tr"] == ["tr-akut"] and opened["escalation_amr"] == ["amr-akut"]
    assert "first_talk_serious" in opened  # the leader's duty remains
    assert sum(1 for e in v.events(case.id) if e.action == "case_escalated") == 1


def test_a_serious_case_acted_on_in_time_does_not_escalate(guideline):
    v = guideline
    case = _start(v, serious=True)
    do(v, "leder-akut", case.id, "first_talk_serious", T0 + timedelta(hours=3))
    assert v.timers_of_case(case.id) == []
    v.fire_due_timers(T0 + timedelta(days=10))
    assert _notices(v, case.id) == [] and not v.case(case.id).escalated


def test_long_exposure_leads_to_advice_to_see_a_doctor_and_no_accident_report(guideline):
    v = guideline
    case = _start(v, injured=True, violence_type="psychological")
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **{**NO_FOLLOW_UP, "exposure_over_5_days": True})
    opened = open_specs(v, case.id)
    assert "advise_doctor" in opened and "record_absence" not in opened and "register_vtc_leader" in opened


def test_a_plain_case_goes_from_report_to_closed(guideline):
    v = guideline
    case = _start(v)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    do(v, "ansat-akut", case.id, "employee_accept_help", T0)
    do(v, "leder-akut", case.id, "register_vtc_leader", T0)
    closed = _follow_up_to_end(v, case.id, T0)
    assert closed.status == "closed" and not closed.escalated
