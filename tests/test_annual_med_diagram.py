"""workflows/annual_med.bpmn as drawn, checked on its XML and run in SpiffWorkflow 3.2 directly (no engine).

Structure: every user task has a due date from a named setting, a reminder before it and what happens after
it; a committee's deadline escalates with a task for the level above; a committee is passed over only by an
end that terminates its own turn; the answers steer. Behaviour: the LMUs' turns are independent, so one
silent LMU is passed over and the HMUs start; and why the diagram does not simply put an interrupting timer
on a multi-instance task.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expressions import check_expression, evaluate, names_read, restricted_script_engine
from engine.bpmn.lint import element_properties, process_settings
from engine.cases.annual_cycle import START_SETTING, start_moment
from engine.org.roles import KNOWN_ROLES, NOTICE_KINDS

REPO_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = REPO_ROOT / "workflows" / "annual_med.bpmn"
ANSWERS_DOC = REPO_ROOT / "docs" / "answers.md"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "camunda": "http://camunda.org/schema/1.0/bpmn"}
LMU_UNITS = ["a1", "a2", "b1", "b2"]
HMU_UNITS = ["hosp-a", "hosp-b"]
CYCLE_START = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
# The committee tasks, and who takes over when one is late.
COMMITTEE_TASKS = {"lmu_annual_discussion": ("lmu", "hmu", "lmu_followup"),
                   "hmu_annual_discussion": ("hmu", "rmu", "hmu_followup"),
                   "rmu_annual_review": ("rmu", "leader", "rmu_followup"),
                   "rmu_policy_revision": ("rmu", "leader", "revision_followup")}
TAGGED = "["


def _document() -> etree._ElementTree:
    return etree.parse(str(DIAGRAM))


def _process() -> etree._Element:
    return _document().find("bpmn:process", NS)


def _settings() -> dict[str, str]:
    return process_settings(_process())


def _by_id() -> dict[str, etree._Element]:
    return {e.get("id"): e for e in _process().iter() if isinstance(e.tag, str) and e.get("id")}


def _local(element) -> str:
    return etree.QName(element).localname


def _lanes() -> dict[str, str]:
    return {ref.text: lane.get("name") for lane in _process().iterfind("bpmn:laneSet/bpmn:lane", NS)
            for ref in lane.iterfind("bpmn:flowNodeRef", NS)}


def _next(element_id: str) -> list[etree._Element]:
    """The elements a flow leads to from `element_id`."""
    nodes = _by_id()
    return [nodes[f.get("targetRef")] for f in _process().iter(f"{{{BPMN}}}sequenceFlow") if f.get("sourceRef") == element_id]


def _boundary_timers(task_id: str) -> list[etree._Element]:
    return [e for e in _process().iter(f"{{{BPMN}}}boundaryEvent") if e.get("attachedToRef") == task_id]


def _duration(name: str) -> timedelta:
    value = _settings()[name]
    return TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(value), CYCLE_START)


def _timer_setting(event: etree._Element) -> str:
    return event.find("bpmn:timerEventDefinition/bpmn:timeDuration", NS).text.strip()


def _doc(element) -> str:
    doc = element.find("bpmn:documentation", NS)
    return (doc.text or "") if doc is not None else ""


def _acts(element) -> bool:
    """Whether the element does something at run time (what `vaern trace` counts a requirement on)."""
    local = _local(element)
    if local == "userTask":
        return element.find("bpmn:extensionElements/camunda:formData", NS) is not None
    if local in ("boundaryEvent", "intermediateCatchEvent"):
        return element.find("bpmn:timerEventDefinition", NS) is not None
    if local in ("intermediateThrowEvent", "endEvent"):
        return "notify" in element_properties(element)
    if local == "exclusiveGateway":
        return any(f.find("bpmn:conditionExpression", NS) is not None for f in _process().iter(f"{{{BPMN}}}sequenceFlow")
                   if f.get("sourceRef") == element.get("id"))
    return False


# -- structure ---------------------------------------------------------------------------------------------

def test_every_user_task_has_a_due_date_a_reminder_before_it_and_what_happens_after():
    settings = _settings()
    tasks = list(_process().iter(f"{{{BPMN}}}userTask"))
    assert len(tasks) == 11
    for task in tasks:
        timers = _boundary_timers(task.get("id"))
        assert all(_timer_setting(t) in settings for t in timers), f"{task.get('id')}: every timer is a named setting"
        reminders = [t for t in timers if t.get("cancelActivity") == "false" and
                     any(element_properties(n).get("notice") == "reminder" for n in _next(t.get("id")))]
        deadlines = [t for t in timers if t not in reminders]
        assert len(reminders) == 1 and len(deadlines) == 1, task.get("id")
        assert _duration(_timer_setting(reminders[0])) < _duration(_timer_setting(deadlines[0])), task.get("id")
        [reminder] = _next(reminders[0].get("id"))
        assert element_properties(reminder)["notify"] == _lanes()[task.get("id")], f"{task.get('id')}: remind its own lane"
        after = _next(deadlines[0].get("id"))
        assert len(after) == 1 and element_properties(after[0]).get("notice") in {"escalated", "overdue"}, task.get("id")


def test_a_late_committee_is_escalated_with_a_task_for_the_level_above_and_may_still_answer():
    lanes = _lanes()
    for task_id, (lane, above, followup) in COMMITTEE_TASKS.items():
        assert lanes[task_id] == lane
        [deadline] = [t for t in _boundary_timers(task_id) if _timer_setting(t).endswith("_deadline")]
        assert deadline.get("cancelActivity") == "false", f"{task_id}: the committee can still answer after the deadline"
        [notice] = _next(deadline.get("id"))
        assert element_properties(notice) == {"notify": above, "notice": "escalated"}
        [task] = _next(notice.get("id"))
        assert task.get("id") == followup and lanes[followup] == above
        # The one above decides; doing nothing passes the committee over when its own deadline runs out.
        [expires] = [t for t in _boundary_timers(followup) if t.get("cancelActivity") == "true"]
        assert _timer_setting(expires) == "followup_deadline"
        [gateway] = _next(followup)
        assert _local(gateway) == "exclusiveGateway" and gateway.get("default")


def test_only_an_end_that_terminates_the_committees_own_turn_passes_it_over():
    lanes = _lanes()
    ends = [e for e in _process().iter(f"{{{BPMN}}}endEvent") if "passed_over" in element_properties(e)]
    assert len(ends) == 8  # expired and decided, for each of the four committee tasks
    for end in ends:
        assert end.find("bpmn:terminateEventDefinition", NS) is not None, end.get("id")
        turn = end.getparent()
        assert _local(turn) == "subProcess" and _local(turn.getparent()) in ("subProcess", "process")
        [task] = [t for t in turn.iterfind("bpmn:userTask", NS) if t.get("id") in COMMITTEE_TASKS]
        assert element_properties(end)["passed_over"] == lanes[task.get("id")], end.get("id")
    # The answered end terminates the same turn, so a late answer also ends the follow-up of the level above.
    for task_id in COMMITTEE_TASKS:
        [answered] = _next(task_id)
        assert _local(answered) == "endEvent" and answered.find("bpmn:terminateEventDefinition", NS) is not None


def test_the_lmu_and_hmu_turns_run_once_per_committee_unit():
    for sub_id, collection in (("lmu_round", "lmu_units"), ("hmu_round", "hmu_units")):
        loop = _by_id()[sub_id].find("bpmn:multiInstanceLoopCharacteristics", NS)
        assert loop.get(f"{{{NS['camunda']}}}collection") == collection
        assert loop.get(f"{{{NS['camunda']}}}elementVariable") == "committee_unit"
        assert loop.get("isSequential") in (None, "false")


def _task_before(element_id: str) -> tuple[etree._Element, bool]:
    """The user task a notice's path comes from (up the flows, from a boundary timer to its task), and
    whether the path left it by one of its timers rather than by its completion."""
    nodes = _by_id()
    current, by_timer = nodes[element_id], False
    while _local(current) != "userTask":
        if _local(current) == "boundaryEvent":
            current, by_timer = nodes[current.get("attachedToRef")], True
            continue
        [flow] = [f for f in _process().iter(f"{{{BPMN}}}sequenceFlow") if f.get("targetRef") == current.get("id")]
        current = nodes[flow.get("sourceRef")]
    return current, by_timer


def test_every_notice_goes_to_someone_with_a_task_right_there():
    """A notice never reaches a role with no task in the case: they could not open it (403)."""
    lanes = _lanes()
    throws = list(_process().iter(f"{{{BPMN}}}intermediateThrowEvent"))
    assert len(throws) == 30  # six in each of the four turns, two for each of the three action plans
    for event in throws:
        props = element_properties(event)
        assert props["notice"] in NOTICE_KINDS and props["notify"] in KNOWN_ROLES, event.get("id")
        before, by_timer = _task_before(event.get("id"))
        if props["notice"] == "escalated":
            [task] = _next(event.get("id"))  # the escalation hands over a task, created in the same step
            assert props["notify"] == lanes[task.get("id")], event.get("id")
        elif props["notice"] == "reminder" and not by_timer:
            # The last deadline given: to the committee, whose task is still open beside the follow-up.
            [committee] = [t for t in before.getparent().iterfind("bpmn:userTask", NS) if t.get("id") in COMMITTEE_TASKS]
            assert props["notify"] == lanes[committee.get("id")], event.get("id")
        else:
            assert props["notify"] == lanes[before.get("id")], event.get("id")


def test_settings_are_documented_and_the_yearly_start_is_a_month_day():
    settings = _settings()
    documentation = _doc(_process())
    for name, value in settings.items():
        assert f"- {name} (standard {value}): " in documentation, f"setting {name} is not documented"
    assert start_moment(settings[START_SETTING], 2027) == datetime(2027, 1, 31, 23, 0, tzinfo=timezone.utc)
    # Text a person reads never shows a setting's name.
    readable = [e.get("name") or "" for e in _process().iter() if isinstance(e.tag, str)
                and etree.QName(e).namespace == BPMN]
    readable += [f.get("label") for f in _process().iter(f"{{{NS['camunda']}}}formField")]
    assert not [text for text in readable for name in settings if name in text]


def test_requirement_tags_sit_only_on_elements_that_act():
    for element in _process().iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN or not element.get("id"):
            continue
        if _local(element) in ("laneSet", "timerEventDefinition", "terminateEventDefinition",
                               "multiInstanceLoopCharacteristics"):
            continue
        assert _doc(element).startswith(TAGGED) == _acts(element), element.get("id")
    assert TAGGED not in _doc(_process())
    for lane in _process().iterfind("bpmn:laneSet/bpmn:lane", NS):
        assert lane.get("name") in KNOWN_ROLES and TAGGED not in _doc(lane)


# -- the answers steer ---------------------------------------------------------------------------------------

def _conditions() -> dict[str, str]:
    return {f.getparent().get("sourceRef"): f.text for f in _process().iter(f"{{{BPMN}}}conditionExpression")}


def _fields() -> dict[str, etree._Element]:
    return {f.get("id"): f for f in _process().iter(f"{{{NS['camunda']}}}formField")}


LMU_ALL_DONE = {
    "year": 2027, "lmu_feedback_to_hmu": "x", "lmu_work_environment_discussion_held": True,
    "lmu_statistics_reviewed": True, "lmu_amg_tr_involved": True, "lmu_responsibilities_defined": True,
    "lmu_behaviour_expectations_defined": True, "lmu_employees_informed": True,
    "lmu_employees_in_prevention_dialogue": True, "lmu_local_procedures": "current", "lmu_last_apv_year": 2025,
    "lmu_last_wellbeing_survey_year": 2026,
}


def test_every_no_to_a_duty_the_lmu_answers_gives_an_action_plan():
    condition = _conditions()["lmu_duties_gateway"]
    assert check_expression(condition) is None
    enums = {fid: f for fid, f in _fields().items() if fid.startswith(("vp", "kp"))}
    done = {**LMU_ALL_DONE, **{fid: "yes" for fid in enums}}
    assert evaluate(condition, done) is False
    for fid, field in _fields().items():
        if fid not in done or fid in ("year", "lmu_feedback_to_hmu"):
            continue
        if field.get("type") == "boolean":
            assert evaluate(condition, {**done, fid: False}) is True, fid
        elif field.get("type") == "enum":
            for value in ("no", "partly", "needs_update", "missing"):
                if value in {v.get("id") for v in field.iterfind("camunda:value", NS)}:
                    assert evaluate(condition, {**done, fid: value}) is True, (fid, value)
    assert evaluate(condition, {**done, "vp1_local_instructions": "not_relevant"}) is False
    assert evaluate(condition, {**done, "lmu_last_apv_year": 2024}) is True  # APV at least every third year
    assert evaluate(condition, {"year": 2027}) is False  # a committee passed over has no answers to follow up


def test_every_boolean_and_choice_either_steers_or_is_listed_as_a_record():
    read = {name for condition in _conditions().values() for name in names_read(condition)}
    section = ANSWERS_DOC.read_text(encoding="utf-8").split("## annual_med", 1)[1].split("\n## ", 1)[0]
    records = {line.split("|")[3].strip(" `") for line in section.splitlines() if line.startswith("| annual_med")}
    answers = {fid for fid, f in _fields().items() if f.get("type") in ("boolean", "enum")}
    assert answers
    assert answers - read <= records, f"answers that neither steer nor are records: {sorted(answers - read - records)}"
    assert not records & read, f"listed as records but they steer: {sorted(records & read)}"


# -- run in SpiffWorkflow -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def parsed():
    parser = CamundaParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("annual_med"), parser.get_subprocess_specs("annual_med")


def _start(parsed, lmu_units=LMU_UNITS, hmu_units=HMU_UNITS) -> BpmnWorkflow:
    spec, subprocesses = parsed
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=restricted_script_engine())
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update(year=2027, lmu_units=list(lmu_units), hmu_units=list(hmu_units), **_settings())
    workflow.do_engine_steps()
    return workflow


def _ready(workflow, spec_id: str) -> list:
    return [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == spec_id]


def _complete(workflow, task, answers: dict) -> None:
    task.data.update(answers)
    task.run()
    workflow.do_engine_steps()


def _travel(workflow, traveller, moment: datetime) -> None:
    traveller.move_to(moment)
    workflow.refresh_timers()
    workflow.do_engine_steps()


def test_lanes_as_the_engine_reads_them(parsed):
    spec, subprocesses = parsed
    lanes = {name: task.lane for sub in subprocesses.values() for name, task in sub.task_specs.items()
             if name in ("lmu_annual_discussion", "lmu_followup", "lmu_action_plan", "hmu_annual_discussion",
                         "hmu_followup", "rmu_annual_review", "rmu_followup", "rmu_policy_revision",
                         "revision_followup")}
    assert lanes == {"lmu_annual_discussion": "lmu", "lmu_followup": "hmu", "lmu_action_plan": "lmu",
                     "hmu_annual_discussion": "hmu", "hmu_followup": "rmu", "rmu_annual_review": "rmu",
                     "rmu_followup": "leader", "rmu_policy_revision": "rmu", "revision_followup": "leader"}


def test_a_silent_lmu_holds_back_no_one_and_is_passed_over(parsed):
    done = {**LMU_ALL_DONE, **{f: "yes" for f in _fields() if f.startswith(("vp", "kp"))}}
    with time_machine.travel(CYCLE_START, tick=False) as traveller:
        workflow = _start(parsed)
        lmu_tasks = _ready(workflow, "lmu_annual_discussion")
        assert sorted(t.data["committee_unit"] for t in lmu_tasks) == LMU_UNITS
        for task in lmu_tasks[:3]:
            _complete(workflow, task, done)
        assert not _ready(workflow, "hmu_annual_discussion")

        _travel(workflow, traveller, CYCLE_START + _duration("lmu_deadline") + timedelta(hours=1))
        [followup] = _ready(workflow, "lmu_followup")
        assert followup.data["committee_unit"] == "b2" and followup.task_spec.lane == "hmu"
        assert [t.data["committee_unit"] for t in _ready(workflow, "lmu_annual_discussion")] == ["b2"]

        _travel(workflow, traveller, CYCLE_START + _duration("lmu_deadline") + _duration("followup_deadline")
                + timedelta(hours=2))
        assert sorted(t.data["committee_unit"] for t in _ready(workflow, "hmu_annual_discussion")) == HMU_UNITS
        ends = [(t.task_spec.name, t.data["committee_unit"]) for t in workflow.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.name in ("lmu_answered_end", "lmu_passed_over_end")]
        assert sorted(ends) == [("lmu_answered_end", "a1"), ("lmu_answered_end", "a2"), ("lmu_answered_end", "b1"),
                                ("lmu_passed_over_end", "b2")]
        # The other LMUs' answers are not merged into the HMUs' data: each HMU reads them in the case.
        assert "lmu_feedback_to_hmu" not in _ready(workflow, "hmu_annual_discussion")[0].data


def test_a_region_without_lmus_or_hmus_goes_straight_to_the_rmu(parsed):
    workflow = _start(parsed, lmu_units=[], hmu_units=[])
    assert len(_ready(workflow, "rmu_annual_review")) == 1


MULTI_INSTANCE_WITH_INTERRUPTING_TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="committees" />
    <bpmn:userTask id="committees"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="lmu_units" camunda:elementVariable="committee_unit" />
    </bpmn:userTask>
    <bpmn:boundaryEvent id="deadline" cancelActivity="true" attachedToRef="committees"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P10D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="committees" targetRef="above" />
    <bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="above" />
    <bpmn:userTask id="above"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="above" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def test_an_interrupting_timer_on_a_multi_instance_task_would_drop_the_late_and_lose_the_answers(tmp_path):
    """Why each committee's turn is a subprocess of its own: SpiffWorkflow 3.2, run as the diagram would be."""
    path = tmp_path / "mi.bpmn"
    path.write_text(MULTI_INSTANCE_WITH_INTERRUPTING_TIMER, encoding="utf-8")
    parser = CamundaParser()
    parser.add_bpmn_file(str(path))
    with time_machine.travel(CYCLE_START, tick=False) as traveller:
        workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=restricted_script_engine())
        workflow.get_tasks(state=TaskState.READY)[0].data["lmu_units"] = LMU_UNITS
        workflow.do_engine_steps()
        for task in _ready(workflow, "committees [child]")[:2]:
            _complete(workflow, task, {f"feedback_{task.data['committee_unit']}": "svar"})
        _travel(workflow, traveller, CYCLE_START + timedelta(days=11))
        [above] = _ready(workflow, "above")
        instances = [t for t in workflow.get_tasks() if t.task_spec.name == "committees [child]"]
    # The two who answered stay completed; the two late ones are gone from the tree, not cancelled...
    assert sorted(t.data["committee_unit"] for t in instances) == ["a1", "a2"]
    assert all(t.state == TaskState.COMPLETED for t in instances)
    # ...and the answers given do not reach the committee above: the timer's path starts from before them.
    assert not [key for key in above.data if key.startswith("feedback_")]
