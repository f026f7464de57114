"""The migration check where SpiffWorkflow's own diff (bpmn/util/diff.py) would judge otherwise: a spec it
aligns by its neighbours after its id changed, a shape moved on the page; and a sub-process that is gone.

The assertions on SpecDiff pin the reasons migration.py gives for not building on it: should a SpiffWorkflow
upgrade change them, these tests say so."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.bpmn.definitions import validate
from engine.cases.annual_cycle import start_annual_round
from tests.conftest import ROOT, T0, simple_xml
from tests.scenario import deploy_guideline

PARTIES = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}
TALK = {"summary": "Talt med Anna", "serious": "on", "category": "bullying", "meeting_date": "2026-11-27",
        "witnesses": "2"}
ORG = Path(__file__).resolve().parent / "orgs" / "two_areas.yaml"
FEBRUARY_1 = datetime(2027, 1, 31, 23, 0, tzinfo=timezone.utc)


def _parsed(xml: str, filename: str = "simple.bpmn"):
    data = xml.encode("utf-8")
    return validate(data, filename, len(data), deployed=True)


def _changes(old_xml: str, new_xml: str) -> SpecDiff:
    """SpiffWorkflow's diff of the two versions' top-level processes."""
    registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
    return SpecDiff(registry, _parsed(old_xml).spec, _parsed(new_xml).spec)


def _deploy(vaern, xml: str) -> int:
    return vaern.deploy(xml.encode("utf-8"), "simple.bpmn", "leder-akut", T0 + timedelta(minutes=5)).version


def _at_hearing(vaern):
    case = vaern.start_case("simple", "afd-akut", dict(PARTIES), "ansat-akut", T0)
    [talk] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(talk.task_id, TALK, "leder-akut", T0 + timedelta(hours=1))
    return case


def test_a_task_whose_id_changed_is_refused_though_spiffworkflow_aligns_it_by_its_flows(vaern):
    renamed = re.sub(r'(?<=["> ])Task_hr(?=["<])', "Task_advice", simple_xml())
    # SpiffWorkflow matches the old Task_hr with Task_advice: same place between the hearing and the end.
    diff = _changes(simple_xml(), renamed)
    assert {old.name: new.name for old, new in diff.alignment.items()}["Task_hr"] == "Task_advice"

    case = _at_hearing(vaern)
    version = _deploy(vaern, renamed)
    # The case's state names its tasks by spec id; re-binding by id would lose the predicted HR task.
    check = vaern.migration_check(case.id, version)
    assert [(b.element_id, b.reason) for b in check.blockers] == [
        ("Task_hear", "the flows out of 'Partshøring' change (Task_hr -> Task_advice)"),
        ("Task_hr", "'Sparring med HR' is removed in version 2, and the case has been or may go there")]


def test_a_shape_moved_down_the_page_changes_no_flow(vaern):
    end = '<dc:Bounds x="862" y="122" width="36" height="36" />'
    moved = simple_xml().replace(end, end.replace('y="122"', 'y="500"'))  # End_1 now below Task_hear
    assert moved != simple_xml()
    # SpiffWorkflow's parser orders a gateway's flows by the height of their targets on the page, and its diff
    # compares those lists, so it reports the gateway's flows and conditions changed ...
    changed = {spec.name: keys for spec, keys in _changes(simple_xml(), moved).changed.items()}
    assert {"outputs", "cond_task_specs"} <= set(changed["Gateway_serious"])

    case = vaern.start_case("simple", "afd-akut", dict(PARTIES), "ansat-akut", T0)
    version = _deploy(vaern, moved)
    # ... but they go to the same places under the same conditions, so the case may move before the gateway.
    assert vaern.migration_check(case.id, version).allowed


def test_a_sub_process_that_is_gone_blocks_every_task_the_case_has_in_it(empty_vaern):
    empty_vaern.import_org(ORG, "admin", FEBRUARY_1 - timedelta(days=60))
    deploy_guideline(empty_vaern, FEBRUARY_1 - timedelta(days=60), "annual_med")
    case = start_annual_round(empty_vaern, "koncern-hr", FEBRUARY_1)
    xml = (ROOT / "workflows" / "annual_med.bpmn").read_text(encoding="utf-8")
    renamed, count = re.subn(r'(?<=["> ])lmu_answer(?=["<])', "lmu_reply", xml)
    assert count == 4
    version = empty_vaern.deploy(renamed.encode("utf-8"), "annual_med.bpmn", "procesejer", FEBRUARY_1).version

    check = empty_vaern.migration_check(case.id, version)

    reasons = {b.element_id: b.reason for b in check.blockers}
    assert reasons.pop("lmu_answer") == ("'LMU'ets svar' is removed in version 2, and the case has been or may go "
                                         "there")
    assert reasons.pop("lmu_round_start") == ("the flows out of 'LMU'ets runde begynder' change "
                                              "(lmu_answer -> lmu_reply)")
    # Every task the case has inside an LMU's answer, down to its start and end, names the sub-process.
    assert {"lmu_answer_start", "lmu_annual_discussion", "lmu_annual_discussion_deadline_timer", "lmu_answer.EndJoin",
            "Start", "End"} <= set(reasons)
    assert set(reasons.values()) == {"the sub-process 'lmu_answer' is gone in version 2"}


def test_spiffworkflow_sees_no_change_when_only_a_timers_setting_changes():
    # The timer names the setting `reminder_after`; its value lives in the process's properties, not in the spec,
    # so the started-timer rule (test_migration.py) cannot come from SpecDiff.
    assert _changes(simple_xml(), simple_xml().replace('value="P2D"', 'value="P4D"')).changed == {}
