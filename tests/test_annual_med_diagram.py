"""workflows/annual_med.bpmn runs in SpiffWorkflow 3.2 as drawn: LMUs, then HMUs, then RMU.

These tests use SpiffWorkflow directly (no vaern engine), so they check the diagram itself:
multi-instance fan-out over the committee lists, reminder and escalation timers, the revision
decision, and that every expression is one the restricted evaluator accepts.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.lint import process_settings
import time_machine
from lxml import etree
from simpleeval import EvalWithCompoundTypes
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState
from engine.roles import KNOWN_ROLES

REPO_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = REPO_ROOT / "workflows" / "annual_med.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
ROLE_KEYS = KNOWN_ROLES

LMU_UNITS = ["unit-lmu-1", "unit-lmu-2", "unit-lmu-3", "unit-lmu-4"]
HMU_UNITS = ["unit-hmu-1", "unit-hmu-2"]
RMU_UNITS = ["unit-region"]
CYCLE_START = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)

LMU_ANSWERS = {
    "lmu_discussion_date": "2026-02-10",
    "lmu_work_environment_discussion_held": True,
    "lmu_statistics_reviewed": True,
    "lmu_initiatives_planned": "Dialogmøde om omgangstone",
    "lmu_initiatives_started": "ingen",
    "lmu_amg_tr_involved": True,
    "lmu_amg_input": "Arbejdsmiljøgruppen ønsker kursus i konflikthåndtering",
    "lmu_local_procedures": "needs_update",
    "lmu_responsibilities_defined": True,
    "lmu_behaviour_expectations_defined": False,
    "lmu_employees_informed": True,
    **{key: "yes" for key in (
        "vp1_local_instructions", "vp2_risk_assessment", "vp3_systematic_registration",
        "vp4_known_procedures", "vp5_competences_training", "vp6_premises", "vp7_vulnerable_staff",
        "kp1_unacceptable_and_policy_known", "kp2_all_forms_in_focus", "kp3_tone_culture_dialogue",
        "kp4_early_conflict_handling", "kp5_apv_followed_up", "kp6_tule_followed_up",
    )},
    "lmu_last_apv_year": 2025,
    "lmu_last_wellbeing_survey_year": 2024,
    "lmu_feedback_to_hmu": "Procedurerne opdateres i foråret",
}
HMU_ANSWERS = {
    "hmu_discussion_date": "2026-04-15",
    "hmu_lmu_feedback_reviewed": True,
    "hmu_statistics_reviewed": True,
    "hmu_initiatives_discussed": "Kursus i konflikthåndtering for hele området",
    "hmu_area_initiatives": "all",
    "hmu_area_initiatives_description": "Kursus for alle afsnit",
    "hmu_evaluation": "Sidste års dialogmøder virkede",
    "hmu_evaluation_agreed": True,
    "hmu_feedback_to_rmu": "Området iværksætter kursus",
}
RMU_ANSWERS = {
    "rmu_discussion_date": "2026-06-01",
    "rmu_hmu_feedback_reviewed": True,
    "rmu_statistics_reviewed": True,
    "rmu_initiatives_discussed": "Tværgående kursus",
    "rmu_policy_assessment": "Politikken er hjælpsom",
    "rmu_last_policy_revision": "2024-05-01",
}
REVISION_ANSWERS = {
    "revision_summary": "Afsnit om digitale krænkelser tilføjet",
    "revision_approved_date": "2026-09-01",
    "revision_communication": "Nyhedsbrev til alle HMU'er og LMU'er",
    "next_revision_due": "2028-09-01",
}


def _document() -> etree._ElementTree:
    return etree.parse(str(DIAGRAM))


def _settings() -> dict[str, str]:
    """The process's named settings, read the way the engine reads them."""
    return process_settings(_document().find("bpmn:process", NS))


@pytest.fixture(scope="module")
def spec():
    """The parsed `annual_med` process spec."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("annual_med")


def _start(spec, lmu_units=LMU_UNITS, hmu_units=HMU_UNITS) -> BpmnWorkflow:
    """A new case, seeded as the engine seeds it, run up to its first waiting point."""
    workflow = BpmnWorkflow(spec)
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update(
        year=2026,
        lmu_units=list(lmu_units),
        hmu_units=list(hmu_units),
        rmu_units=list(RMU_UNITS),
        **_settings(),
    )
    workflow.do_engine_steps()
    return workflow


def _ready_user_tasks(workflow: BpmnWorkflow, bpmn_id: str) -> list:
    return [
        task for task in workflow.get_tasks(state=TaskState.READY, manual=True)
        if task.task_spec.bpmn_id == bpmn_id
    ]


def _complete(workflow: BpmnWorkflow, task, answers: dict) -> None:
    task.data.update(answers)
    task.run()
    workflow.do_engine_steps()


def _completed_ids(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)}


def _complete_committees(workflow: BpmnWorkflow) -> None:
    """Complete every LMU task, then every HMU task, checking the fan-out of each phase."""
    lmu_tasks = _ready_user_tasks(workflow, "lmu_annual_discussion")
    assert sorted(task.data["committee_unit"] for task in lmu_tasks) == sorted(LMU_UNITS)
    assert {task.task_spec.lane for task in lmu_tasks} == {"lmu"}
    for index, task in enumerate(lmu_tasks):
        assert not _ready_user_tasks(workflow, "hmu_annual_discussion"), "HMUs must wait for every LMU"
        _complete(workflow, task, {**LMU_ANSWERS, "lmu_feedback_to_hmu": f"Tilbagemelding {index}"})

    hmu_tasks = _ready_user_tasks(workflow, "hmu_annual_discussion")
    assert sorted(task.data["committee_unit"] for task in hmu_tasks) == sorted(HMU_UNITS)
    assert {task.task_spec.lane for task in hmu_tasks} == {"hmu"}
    for task in hmu_tasks:
        assert not _ready_user_tasks(workflow, "rmu_annual_review"), "RMU must wait for every HMU"
        _complete(workflow, task, HMU_ANSWERS)


def test_parses_with_camunda_parser(spec) -> None:
    """The spec has the three committee tasks in their lanes, with Camunda forms."""
    tasks = spec.task_specs
    assert tasks["lmu_annual_discussion [child]"].lane == "lmu"
    assert tasks["hmu_annual_discussion [child]"].lane == "hmu"
    assert tasks["rmu_annual_review"].lane == "rmu"
    assert tasks["rmu_policy_revision"].lane == "rmu"
    lmu_fields = {field.id for field in tasks["lmu_annual_discussion [child]"].form.fields}
    assert {"vp1_local_instructions", "kp6_tule_followed_up", "lmu_feedback_to_hmu"} <= lmu_fields
    rmu_fields = {field.id for field in tasks["rmu_annual_review"].form.fields}
    assert "policy_revision_needed" in rmu_fields


def test_full_cycle_with_revision(spec) -> None:
    """4 LMUs, then 2 HMUs, then RMU decides to revise, then the revision, then the end."""
    workflow = _start(spec)
    _complete_committees(workflow)

    [review] = _ready_user_tasks(workflow, "rmu_annual_review")
    assert "committee_unit" not in review.data
    _complete(workflow, review, {**RMU_ANSWERS, "policy_revision_needed": True})

    [revision] = _ready_user_tasks(workflow, "rmu_policy_revision")
    _complete(workflow, revision, REVISION_ANSWERS)

    assert workflow.is_completed()
    assert "end" in _completed_ids(workflow)
    assert workflow.data["policy_revision_needed"] is True
    # Committee answers stay on the completed instances (the multi-instance does not merge them).
    feedback = sorted(
        task.data["lmu_feedback_to_hmu"]
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if task.task_spec.bpmn_id == "lmu_annual_discussion" and "committee_unit" in task.data
    )
    assert feedback == [f"Tilbagemelding {index}" for index in range(4)]


def test_full_cycle_without_revision(spec) -> None:
    """When RMU decides not to revise, the default flow ends the cycle."""
    workflow = _start(spec)
    _complete_committees(workflow)
    [review] = _ready_user_tasks(workflow, "rmu_annual_review")
    _complete(workflow, review, {**RMU_ANSWERS, "policy_revision_needed": False})
    assert workflow.is_completed()
    assert "rmu_policy_revision" not in _completed_ids(workflow)


def test_empty_committee_lists_go_straight_to_rmu(spec) -> None:
    """A region with no LMUs or HMUs registered still reaches the RMU."""
    workflow = _start(spec, lmu_units=[], hmu_units=[])
    assert len(_ready_user_tasks(workflow, "rmu_annual_review")) == 1


def test_late_lmus_are_reminded_then_escalated(spec) -> None:
    """The LMU timers fire after their settings, without cancelling the open LMU tasks."""
    settings = _settings()

    def due(name: str) -> datetime:
        duration = TimerEventDefinition.parse_iso_duration(settings[name])
        return CYCLE_START + TimerEventDefinition.get_timedelta_from_start(duration, CYCLE_START)

    with time_machine.travel(CYCLE_START, tick=False) as traveller:
        workflow = _start(spec)
        traveller.move_to(due("lmu_deadline") - timedelta(hours=1))
        workflow.refresh_timers()
        workflow.do_engine_steps()
        assert "lmu_annual_discussion_reminder_notice" not in _completed_ids(workflow)

        traveller.move_to(due("lmu_deadline") + timedelta(hours=1))
        workflow.refresh_timers()
        workflow.do_engine_steps()
        done = _completed_ids(workflow)
        assert "lmu_annual_discussion_reminder_notice" in done
        assert "lmu_annual_discussion_escalation_notice" not in done

        traveller.move_to(due("lmu_escalate_after") + timedelta(hours=1))
        workflow.refresh_timers()
        workflow.do_engine_steps()
        assert "lmu_annual_discussion_escalation_notice" in _completed_ids(workflow)
        assert len(_ready_user_tasks(workflow, "lmu_annual_discussion")) == len(LMU_UNITS)

        _complete_committees(workflow)
        [review] = _ready_user_tasks(workflow, "rmu_annual_review")
        _complete(workflow, review, {**RMU_ANSWERS, "policy_revision_needed": False})
        assert workflow.is_completed()


def test_notices_name_roles_and_kinds() -> None:
    """Every notice event says whom to tell (role keys) and what kind of notice it is."""
    throws = _document().findall(".//bpmn:intermediateThrowEvent", NS)
    assert len(throws) == 8
    for event in throws:
        props = {
            prop.get("name"): prop.get("value")
            for prop in event.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)
        }
        assert props["notice"] in {"reminder", "escalated"}, event.get("id")
        assert set(props["notify"].split(",")) <= ROLE_KEYS, event.get("id")
        expected = "reminder" if "_reminder_" in event.get("id") else "escalated"
        assert props["notice"] == expected, event.get("id")


def test_expressions_fit_the_restricted_evaluator() -> None:
    """Timer and condition expressions evaluate with simpleeval: settings by name, no Python tricks."""
    settings = _settings()
    document = _document()
    timers = document.findall(".//bpmn:timerEventDefinition/bpmn:timeDuration", NS)
    assert len(timers) == 8
    for timer in timers:
        value = EvalWithCompoundTypes(names=settings).eval(timer.text.strip())
        assert value == settings[timer.text.strip()]
    for condition in document.findall(".//bpmn:conditionExpression", NS):
        for answer in (True, False):
            result = EvalWithCompoundTypes(names={"policy_revision_needed": answer}).eval(condition.text)
            assert result is answer


def test_every_element_is_traced_and_named() -> None:
    """Every flow node has a name and documentation that starts with a requirement ID; lanes are role keys."""
    process = _document().find("bpmn:process", NS)
    for element in process.iter():
        if not isinstance(element.tag, str) or element.get("id") is None:
            continue
        if etree.QName(element).namespace != NS["bpmn"]:
            continue  # form fields and enum values carry ids too
        local = etree.QName(element).localname
        if local in {"laneSet", "timerEventDefinition"}:
            continue
        doc = element.find("bpmn:documentation", NS)
        assert doc is not None and doc.text.startswith("["), element.get("id")
        if local not in {"sequenceFlow", "lane"}:
            assert element.get("name"), element.get("id")
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        assert lane.get("name") in ROLE_KEYS
    documentation = process.find("bpmn:documentation", NS).text
    for name in _settings():
        assert f"- {name} " in documentation, f"setting {name} is not documented on the process"
