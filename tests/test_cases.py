"""Cases end to end through the service layer, on a real database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import (
    CaseNotFound,
    InvalidInput,
    NotAllowed,
    Settings,
    TaskNotFound,
    TaskNotOpen,
    UnknownCaseKind,
    UnknownPerson,
    UnknownUnit,
    open_vaern,
)
from engine.models import Case, Event, Task
from tests.conftest import T0, simple_xml

PARTIES = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}
TALK = {"summary": "Talt med Anna", "serious": "on", "category": "bullying", "meeting_date": "2026-11-27", "witnesses": "2"}


def _snapshot(vaern):
    with vaern.uow() as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(Case)), s.scalar(select(func.count()).select_from(Task)),
                s.scalar(select(func.count()).select_from(Event)), s.scalar(select(func.max(Case.version))))


def _start(vaern, **extra):
    return vaern.start_case("simple", "afd-akut", {**PARTIES, **extra}, "ansat-akut", T0)


def test_a_case_runs_from_start_to_close_with_assignment_and_an_event_log(vaern):
    case = _start(vaern)
    [item] = vaern.inbox("leder-akut", T0)
    assert (item.case_id, item.title, item.role, item.unit_name) == (case.id, "Samtale med den berørte", "leader", "Akutafdelingen")
    assert item.due_at == T0 + timedelta(days=2) and not item.overdue
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0 + timedelta(hours=1))
    assert vaern.inbox("leder-akut", T0) == []
    [hearing] = vaern.inbox("kollega-akut", T0)
    assert hearing.role == "accused"
    vaern.complete_task(hearing.task_id, {"statement": "Min version"}, "kollega-akut", T0 + timedelta(hours=2))
    [hr] = vaern.inbox("hr-hosp", T0)
    closed = vaern.complete_task(hr.task_id, {"advice_given": True}, "hr-hosp", T0 + timedelta(hours=3))
    assert closed.status == "closed" and closed.serious and closed.closed_at == T0 + timedelta(hours=3)
    data = vaern.case(case.id).data
    assert data["witnesses"] == 2 and data["meeting_date"] == "2026-11-27" and data["statement"] == "Min version"
    actions = [(e.action, e.actor) for e in vaern.events(case.id)]
    assert ("case_started", "ansat-akut") in actions and ("case_closed", "hr-hosp") in actions
    assert [a for a, actor in actions if a == "task_completed"] == ["task_completed"] * 3
    states = {t.spec_id: (t.state, t.completed_by) for t in vaern.tasks_of_case(case.id)}
    assert states == {"Task_talk": ("completed", "leder-akut"), "Task_hear": ("completed", "kollega-akut"),
                      "Task_hr": ("completed", "hr-hosp")}


def test_the_accused_gets_only_the_accused_lane_and_an_accused_leader_is_replaced(vaern):
    _start(vaern, accused_id="leder-akut")
    assert vaern.inbox("leder-akut", T0) == []
    [item] = vaern.inbox("hosp-leder", T0)
    vaern.complete_task(item.task_id, TALK, "hosp-leder", T0)
    [hearing] = vaern.inbox("leder-akut", T0)
    assert hearing.role == "accused"


def test_claim_and_release_where_a_role_has_several_holders(vaern, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("people:\n - {id: leder-2, name: Lærke Leder}\nroles:\n"
                   " - {unit: afd-akut, role: leader, person: leder-akut}\n"
                   " - {unit: afd-akut, role: leader, person: leder-2}\n", encoding="utf-8")
    vaern.import_org(org, "admin", T0)
    _start(vaern)
    [item] = vaern.inbox("leder-2", T0)
    assert item.assignee_id is None and vaern.inbox("leder-akut", T0)
    with pytest.raises(NotAllowed):
        vaern.claim(item.task_id, "ansat-akut", T0)
    claimed = vaern.claim(item.task_id, "leder-2", T0)
    assert claimed.assignee_id == "leder-2" and vaern.inbox("leder-akut", T0) == []
    with pytest.raises(NotAllowed):
        vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    with pytest.raises(NotAllowed):
        vaern.release(item.task_id, "leder-akut", T0)
    vaern.release(item.task_id, "leder-2", T0)
    assert len(vaern.inbox("leder-akut", T0)) == 1
    actions = [e.action for e in vaern.events()]
    assert "task_claimed" in actions and "task_released" in actions


@pytest.mark.parametrize("values, bad_fields", [
    ({"summary": ""}, {"summary"}),
    ({"summary": "x", "witnesses": "two"}, {"witnesses"}),
    ({"summary": "x", "witnesses": True}, {"witnesses"}),
    ({"summary": "x", "meeting_date": "27/11/2026"}, {"meeting_date"}),
    ({"summary": "x", "category": "murder"}, {"category"}),
    ({"summary": "x", "serious": "maybe"}, {"serious"}),
    ({"summary": "x", "salary": "1000"}, {"salary"}),
    ({"summary": 5}, {"summary"}),
    ({}, {"summary"}),
])
def test_bad_form_values_are_refused_per_field_and_change_nothing(vaern, values, bad_fields):
    _start(vaern)
    [item] = vaern.inbox("leder-akut", T0)
    before = _snapshot(vaern)
    with pytest.raises(InvalidInput) as caught:
        vaern.complete_task(item.task_id, values, "leder-akut", T0)
    assert set(caught.value.errors) == bad_fields
    assert _snapshot(vaern) == before
    assert vaern.task(item.task_id).state == "open"


def test_a_task_that_is_not_yours_or_already_done(vaern):
    _start(vaern)
    [item] = vaern.inbox("leder-akut", T0)
    with pytest.raises(NotAllowed):
        vaern.complete_task(item.task_id, TALK, "ansat-akut", T0)
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    before = _snapshot(vaern)
    with pytest.raises(TaskNotOpen):
        vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    assert _snapshot(vaern) == before


@pytest.mark.parametrize("call, error", [
    (lambda v: v.start_case("nonsense", "afd-akut", {}, "x", T0), UnknownCaseKind),
    (lambda v: v.start_case("simple", "nowhere", {}, "x", T0), UnknownUnit),
    (lambda v: v.start_case("simple", "afd-akut", {"employee_id": "ghost"}, "x", T0), UnknownPerson),
    (lambda v: v.complete_task("no-such-task", {}, "x", T0), TaskNotFound),
    (lambda v: v.claim("no-such-task", "x", T0), TaskNotFound),
    (lambda v: v.send_message(999, "complaint_withdrawn", {}, "x", T0), CaseNotFound),
    (lambda v: v.case(999), CaseNotFound),
])
def test_unknown_things_get_typed_errors_and_change_nothing(vaern, call, error):
    before = _snapshot(vaern)
    with pytest.raises(error):
        call(vaern)
    assert _snapshot(vaern) == before


def test_a_message_ends_the_case_and_an_unexpected_one_is_refused(vaern):
    case = _start(vaern)
    with pytest.raises(InvalidInput, match="not waiting for 'escalation_requested'"):
        vaern.send_message(case.id, "escalation_requested", {}, "ansat-akut", T0)
    closed = vaern.send_message(case.id, "complaint_withdrawn", {"reason": "løst i mindelighed"}, "ansat-akut", T0)
    assert closed.status == "closed"
    assert vaern.case(case.id).data["message_data"] == {"reason": "løst i mindelighed"}
    assert [t.state for t in vaern.tasks_of_case(case.id)] == ["cancelled"]
    assert vaern.inbox("leder-akut", T0) == []


def test_a_due_timer_fires_once_and_records_a_notice(vaern):
    case = _start(vaern)
    assert vaern.timers_of_case(case.id) == [("Timer_remind", T0 + timedelta(days=2))]
    assert vaern.fire_due_timers(T0 + timedelta(days=1)) == 0
    assert vaern.fire_due_timers(T0 + timedelta(days=2, seconds=1)) == 1
    assert vaern.fire_due_timers(T0 + timedelta(days=3)) == 0
    notices = [e for e in vaern.events(case.id) if e.action == "notice"]
    assert len(notices) == 1 and notices[0].details["recipients"] == ["leder-akut"]
    assert notices[0].details["notice"] == "reminder"
    [item] = vaern.inbox("leder-akut", T0 + timedelta(days=3))
    assert item.overdue  # the reminder fired; the task is still open and past its due time


def test_cases_survive_a_restart_of_the_service(vaern, database_url):
    case = _start(vaern)
    vaern.db.dispose()
    again = open_vaern(Settings(database_url=database_url))
    [item] = again.inbox("leder-akut", T0)
    assert again.complete_task(item.task_id, TALK, "leder-akut", T0).id == case.id
    again.db.dispose()


def test_new_cases_use_the_newest_version_and_running_cases_keep_theirs(vaern):
    old_case = _start(vaern)
    changed = simple_xml().replace('value="P2D"', 'value="P5D"').encode()
    info = vaern.deploy(changed, "simple.bpmn", "ejer", T0)
    assert (info.version, info.created) == (2, True)
    assert vaern.deploy(changed, "simple.bpmn", "ejer", T0).created is False
    new_case = _start(vaern)
    assert (vaern.case(old_case.id).definition_version, vaern.case(new_case.id).definition_version) == (1, 2)
    assert vaern.timers_of_case(old_case.id)[0][1] == T0 + timedelta(days=2)
    assert vaern.timers_of_case(new_case.id)[0][1] == T0 + timedelta(days=5)


def test_opening_a_task_then_completing_it_deserializes_no_state(vaern, monkeypatch):
    # The task page only reads the workflow, so it hands it back for the completion that follows.
    from engine.bpmn import workflow as wf_ops

    case = _start(vaern)
    loads = []
    real_loads = wf_ops.loads
    monkeypatch.setattr(wf_ops, "loads", lambda *a: loads.append(1) or real_loads(*a))
    [item] = vaern.inbox("leder-akut", T0)
    assert vaern.task_detail(item.task_id).task.id == item.task_id
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    assert loads == []  # both used the workflow the start saved
    assert [t.state for t in vaern.tasks_of_case(case.id) if t.spec_id == "Task_talk"] == ["completed"]


def test_reading_a_case_keeps_its_workflow_for_the_next_command_and_hands_out_a_copy(vaern, monkeypatch):
    from engine.bpmn import workflow as wf_ops

    case = _start(vaern)
    loads = []
    real_loads = wf_ops.loads
    monkeypatch.setattr(wf_ops, "loads", lambda *a: loads.append(1) or real_loads(*a))
    data = vaern.case(case.id).data
    data["employee_id"] = "changed by the caller"
    vaern.case_diagram(case.id, T0)
    assert vaern.case(case.id).data["employee_id"] == "ansat-akut"
    [item] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0)
    assert loads == []  # every read and the completion used the workflow the start saved
