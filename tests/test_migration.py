"""Moving running cases to a newer diagram version: safe moves happen in one transaction, unsafe ones are
refused naming the elements that block them, and nothing changes then."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import ConcurrentUpdate, MigrationRefused
from tests.conftest import T0, simple_xml

PARTIES = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}
TALK = {"summary": "Talt med Anna", "serious": "on", "category": "bullying", "meeting_date": "2026-11-27",
        "witnesses": "2"}
WITNESSES = '<camunda:formField id="witnesses" label="Antal vidner" type="long" />'
POLICE = '<camunda:formField id="police_report" label="Politianmeldt?" type="boolean" />'


def _start(vaern):
    return vaern.start_case("simple", "afd-akut", dict(PARTIES), "ansat-akut", T0)


def _deploy(vaern, xml: str) -> int:
    return vaern.deploy(xml.encode("utf-8"), "simple.bpmn", "leder-akut", T0 + timedelta(minutes=5)).version


def _at_hearing(vaern):
    case = _start(vaern)
    [talk] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(talk.task_id, TALK, "leder-akut", T0 + timedelta(hours=1))
    return case


@pytest.mark.slow
def test_a_new_form_field_and_new_names_migrate_a_case_waiting_on_that_task(vaern):
    case = _start(vaern)
    new = simple_xml().replace(WITNESSES, WITNESSES + POLICE)
    new = new.replace('name="Samtale med den berørte"', 'name="Samtale med den udsatte"')
    version = _deploy(vaern, new)
    assert vaern.older_case_counts() == {"simple": 1}
    [check] = vaern.migration_checks("simple")
    assert check.allowed and (check.case_id, check.from_version, check.to_version) == (case.id, 1, 2)

    moved = vaern.migrate_case(case.id, version, "leder-akut", T0 + timedelta(hours=1), expected_version=case.version)

    assert moved.definition_version == 2 and moved.version == case.version + 1
    [task] = vaern.tasks_of_case(case.id)
    assert task.title == "Samtale med den udsatte" and task.due_at == T0 + timedelta(days=2)  # projections rebuilt
    assert [f.id for f in vaern.task_detail(task.id).fields][-1] == "police_report"
    migrated = [e for e in vaern.events(case.id) if e.action == "case_migrated"]
    assert [(e.actor, e.details["from_version"], e.details["to_version"]) for e in migrated] == [("leder-akut", 1, 2)]
    vaern.complete_task(task.id, {**TALK, "police_report": "on"}, "leder-akut", T0 + timedelta(hours=2))
    assert vaern.case(case.id).data["police_report"] is True
    assert vaern.migration_checks("simple") == [] and vaern.older_case_counts() == {}


def test_a_setting_for_a_timer_not_yet_started_moves_with_the_case(vaern):
    case = _at_hearing(vaern)
    version = _deploy(vaern, simple_xml().replace('value="P2D"', 'value="P4D"'))
    assert vaern.migration_check(case.id).allowed
    vaern.migrate_case(case.id, version, "leder-akut", T0 + timedelta(hours=2))
    assert vaern.case(case.id).data["reminder_after"] == "P4D"
    [event] = [e for e in vaern.events(case.id) if e.action == "case_migrated"]
    assert event.details["settings"] == ["reminder_after"]


def test_a_timer_that_has_started_blocks_the_move_and_nothing_changes(vaern):
    case = _start(vaern)
    version = _deploy(vaern, simple_xml().replace('value="P2D"', 'value="P4D"'))
    check = vaern.migration_check(case.id)
    assert not check.allowed and [b.element_id for b in check.blockers] == ["Timer_remind"]
    assert "already started" in check.blockers[0].reason

    with pytest.raises(MigrationRefused) as refused:
        vaern.migrate_case(case.id, version, "leder-akut", T0 + timedelta(hours=1))

    assert [b.element_id for b in refused.value.blockers] == ["Timer_remind"]
    after = vaern.case(case.id)
    assert (after.definition_version, after.version) == (1, case.version)
    assert not [e for e in vaern.events(case.id) if e.action == "case_migrated"]
    [timer] = vaern.timers_of_case(case.id)
    assert timer[1] == T0 + timedelta(days=2)


def test_a_task_moved_to_another_lane_or_rewired_blocks_the_move(vaern):
    case = _at_hearing(vaern)
    new = simple_xml().replace('<bpmn:lane id="Lane_accused" name="accused">\n        <bpmn:flowNodeRef>Task_hear</bpmn:flowNodeRef>',
                               '<bpmn:lane id="Lane_accused" name="accused">')
    new = new.replace("<bpmn:flowNodeRef>Task_hr</bpmn:flowNodeRef>",
                      "<bpmn:flowNodeRef>Task_hr</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>Task_hear</bpmn:flowNodeRef>")
    version = _deploy(vaern, new)
    check = vaern.migration_check(case.id, version)
    assert "Task_hear" in {b.element_id for b in check.blockers}
    assert any("lane 'accused' to 'hr'" in b.reason for b in check.blockers)
    with pytest.raises(MigrationRefused):
        vaern.migrate_case(case.id, version, "leder-akut", T0 + timedelta(hours=2))
    assert vaern.case(case.id).definition_version == 1


def test_a_removed_element_the_case_has_used_blocks_the_move(vaern):
    case = _at_hearing(vaern)
    new = simple_xml().replace('targetRef="Task_hear"', 'targetRef="Task_hr"')
    new = new.replace('<bpmn:sequenceFlow id="Flow_4" sourceRef="Task_hear" targetRef="Task_hr" />', "")
    start = new.index('<bpmn:userTask id="Task_hear"')
    new = new[:start] + new[new.index("</bpmn:userTask>", start) + len("</bpmn:userTask>"):]
    new = new.replace("<bpmn:flowNodeRef>Task_hear</bpmn:flowNodeRef>", "")
    for di in ("Task_hear_di", "Flow_4_di"):
        start = new.index(f'id="{di}"')
        start = new.rindex("<", 0, start)
        end = new.index("</bpmndi:", start)
        new = new[:start] + new[new.index(">", end) + 1:]
    new = new.replace("<bpmn:incoming>Flow_4</bpmn:incoming>", "<bpmn:incoming>Flow_serious</bpmn:incoming>")
    version = _deploy(vaern, new)
    check = vaern.migration_check(case.id, version)
    assert any(b.element_id == "Task_hear" and "removed" in b.reason for b in check.blockers), check.blockers


def test_a_case_changed_since_the_page_was_shown_raises_concurrent_update(vaern):
    case = _start(vaern)
    version = _deploy(vaern, simple_xml().replace('label="Kort referat"', 'label="Referat"'))
    [talk] = vaern.inbox("leder-akut", T0)
    vaern.claim(talk.task_id, "leder-akut", T0 + timedelta(minutes=10))  # bumps the case's row version
    with pytest.raises(ConcurrentUpdate):
        vaern.migrate_case(case.id, version, "leder-akut", T0 + timedelta(hours=1), expected_version=case.version)
    assert vaern.case(case.id).definition_version == 1


def test_closed_cases_do_not_move(vaern):
    case = _at_hearing(vaern)
    [hearing] = vaern.inbox("kollega-akut", T0)
    vaern.complete_task(hearing.task_id, {"statement": "Min version"}, "kollega-akut", T0 + timedelta(hours=2))
    [hr] = vaern.inbox("hr-hosp", T0)
    vaern.complete_task(hr.task_id, {"advice_given": True}, "hr-hosp", T0 + timedelta(hours=3))
    version = _deploy(vaern, simple_xml().replace('label="Kort referat"', 'label="Referat"'))
    assert vaern.migration_checks("simple") == []
    with pytest.raises(MigrationRefused):
        vaern.migrate_case(case.id, version, "leder-akut", T0 + timedelta(hours=4))
