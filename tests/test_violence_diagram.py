"""workflows/violence.bpmn runs in SpiffWorkflow 3.2 as drawn: violence from citizens, patients, relatives.

These tests use SpiffWorkflow directly (no vaern engine), so they check the diagram itself: that every
user task has its clock (a reminder, a deadline and what follows it), that the parties' tasks expire into
a decision of the leader's, that a late step of a serious case goes to the leader's leader, the listeners
for the affected's request and a later injury, the accident report's legal deadline, the follow-up weeks
later, and that every answer steers or is declared a record. Conditions and timer expressions are
evaluated by vaern's restricted script engine; the scenario tests drive the same diagram through the engine.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expressions import WORKING_DAYS, check_expression, restricted_script_engine
from engine.bpmn.lint import process_settings
from engine.org.roles import KNOWN_ROLES, NOTICE_KINDS

REPO_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = REPO_ROOT / "workflows" / "violence.bpmn"
ANSWERS = REPO_ROOT / "docs" / "answers.md"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
PARTY_LANES = {"employee", "colleague"}
TAG = re.compile(r"\[[A-Z]+-[A-Z0-9]+\]")
# Monday morning; the case starts when the report arrives.
REPORTED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

REPORT = {
    "employee_id": "emp-101",
    "incident_at": "2026-03-02T07:15:00+01:00",
    "location": "Afsnit P3, fællesstuen",
    "violence_type": "physical",
    "injured": False,
    "severity": 2,
    "witnesses_present": False,
    "witnesses": "",
    "serious": False,
    "description": "En patient slog ud efter medarbejderen under medicinuddeling.",
}
FIRST_TALK = {
    "contact_initiated_by": "leader",
    "first_talk_date": "2026-03-02",
    "employee_reactions": "Rystet, vil gerne tale med en kollega i morgen.",
    "defusing_started": True,
    "someone_to_talk_to": "Kollega fra samme vagt",
}
NO_FOLLOW_UP = {
    "debriefing_needed": False,
    "psychologist_needed": False,
    "police_report": False,
    "vtc_registrar": "leader",
    "exposure_over_5_days": False,
}
EMPLOYEE_HELP = {
    "accepts_talk": True,
    "talk_with": "colleague",
    "employee_account": "Patienten blev urolig og slog ud efter mig.",
    "wants_police_help": False,
}
VTC = {"vtc_registered_on": "2026-03-03", "vtc_reference": "VTC-2026-0042", "vtc_registered_with_help": False}
SAFETY = {"safety_measures": "Fælles gennemgang på personalemødet", "all_involved_cared_for": True}


def _document() -> etree._ElementTree:
    return etree.parse(str(DIAGRAM))


def _process() -> etree._Element:
    return _document().find("bpmn:process", NS)


def _settings() -> dict[str, str]:
    """The process's named settings, read the way the engine reads them."""
    return process_settings(_process())


def _nodes() -> dict[str, etree._Element]:
    """Every flow node, those inside sub-processes (the witnesses' round) included."""
    found, containers = {}, [_process()]
    while containers:
        for el in containers.pop():
            if isinstance(el.tag, str) and el.get("id") and etree.QName(el).localname not in (
                    "sequenceFlow", "laneSet", "documentation", "extensionElements", "multiInstanceLoopCharacteristics"):
                found[el.get("id")] = el
                if etree.QName(el).localname == "subProcess":
                    containers.append(el)
    return found


def _lanes() -> dict[str, str]:
    """Element id -> lane (role) name."""
    return {ref.text: lane.get("name") for lane in _process().iter(f"{{{NS['bpmn']}}}lane")
            for ref in lane.findall("bpmn:flowNodeRef", NS)}


def _flows() -> list[etree._Element]:
    return _process().findall(".//bpmn:sequenceFlow", NS)


def _next(node_id: str) -> list[etree._Element]:
    """The outgoing flows of an element."""
    return [f for f in _flows() if f.get("sourceRef") == node_id]


def _props(element: etree._Element) -> dict[str, str]:
    return {p.get("name"): p.get("value")
            for p in element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)}


def _kind(element: etree._Element) -> str:
    return etree.QName(element).localname


def _boundaries(task_id: str) -> list[etree._Element]:
    return [el for el in _process().findall(".//bpmn:boundaryEvent", NS) if el.get("attachedToRef") == task_id]


def _timer_text(event: etree._Element) -> str:
    return event.find("bpmn:timerEventDefinition/*", NS).text.strip()


def _reachable(start: str, stop_at_user_task: bool = True) -> list[etree._Element]:
    """Elements reachable from `start` (not through user tasks: where the path hands over to a person)."""
    nodes, seen, todo, found = _nodes(), set(), [start], []
    while todo:
        node_id = todo.pop()
        for flow in _next(node_id):
            target = flow.get("targetRef")
            if target in seen:
                continue
            seen.add(target)
            found.append(nodes[target])
            if not (stop_at_user_task and _kind(nodes[target]) == "userTask"):
                todo.append(target)
    return found


@pytest.fixture(scope="module")
def spec():
    """The parsed `violence` process spec."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("violence"), parser.get_subprocess_specs("violence")


def _start(spec, **report) -> BpmnWorkflow:
    """A new case seeded with the report's data and the settings, run to its first waiting point."""
    workflow = BpmnWorkflow(*spec, script_engine=restricted_script_engine(frozenset(_settings())))
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update({**_settings(), **REPORT, **report})
    workflow.do_engine_steps()
    return workflow


def _ready(workflow: BpmnWorkflow) -> dict[str, str]:
    """Ready user tasks: bpmn id → lane."""
    return {task.task_spec.bpmn_id: task.task_spec.lane
            for task in workflow.get_tasks() if task.state == TaskState.READY and task.task_spec.manual}


def _complete(workflow: BpmnWorkflow, bpmn_id: str, lane: str, answers: dict | None = None) -> None:
    """Fill in the form of the one ready task `bpmn_id`, check its lane, and run the engine on."""
    tasks = [task for task in workflow.get_tasks() if task.state == TaskState.READY and task.task_spec.manual
             if task.task_spec.bpmn_id == bpmn_id]
    assert len(tasks) == 1, f"{bpmn_id} is not ready; ready: {_ready(workflow)}"
    task = tasks[0]
    assert task.task_spec.lane == lane
    task.data.update(answers or {})
    task.run()
    workflow.do_engine_steps()


def _completed(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.bpmn_id for task in workflow.get_tasks() if task.state == TaskState.COMPLETED
            if task.task_spec.bpmn_id}


def _travel_to(traveller, workflow: BpmnWorkflow, moment: datetime) -> None:
    traveller.move_to(moment)
    workflow.refresh_timers()
    workflow.do_engine_steps()


def _follow_up_to_end(traveller, workflow: BpmnWorkflow, learning: bool) -> None:
    """From the analysis: adjustments, the well-being check weeks later, learning, and the case's end."""
    _complete(workflow, "analyse_event", "leader",
              {"vtc_followed_up": True, "event_analysis": "Uro ved medicinuddeling",
               "citizen_measures": "To personaler ved medicinuddeling til patienten"})
    _complete(workflow, "adjust_workplace", "leader",
              {"workplace_adjustments": "Alarmen flyttes", "risk_assessment_updated": True,
               "safety_introduction_checked": True})
    assert "wellbeing_check" not in _ready(workflow), "the well-being check waits some weeks"
    waiting_since = datetime.now(timezone.utc)
    _travel_to(traveller, workflow, waiting_since + timedelta(days=27))
    assert "wellbeing_check" not in _ready(workflow)
    _travel_to(traveller, workflow, waiting_since + timedelta(days=28, minutes=1))
    _complete(workflow, "wellbeing_check", "leader", {"poor_wellbeing_signs": False, "wellbeing_actions": ""})
    _complete(workflow, "decide_learning", "leader",
              {"learning_into_prevention": learning, "learning_summary": "Planlæg uddeling i ro"})
    if learning:
        _complete(workflow, "amr_learning", "amr", {"amr_learning_plan": "Tages op i AMG i april"})
    assert workflow.is_completed(), f"still ready: {_ready(workflow)}"
    assert "end_case" in _completed(workflow)


# ---------------------------------------------------------------- the diagram as a document

def test_parses_with_camunda_parser(spec) -> None:
    """Every user task sits in a known role lane and carries a Camunda form."""
    main, inner = spec
    specs = {**main.task_specs, **{n: t for sub in inner.values() for n, t in sub.task_specs.items()}}
    user_tasks = {name: task for name, task in specs.items() if getattr(task, "manual", False)}
    assert len(user_tasks) >= 50
    for name, task in user_tasks.items():
        assert task.lane in KNOWN_ROLES, name
        assert task.form.fields, f"{name} has no form fields"
    assert specs["escalation_leaders_leader"].lane == "leaders_leader"
    assert specs["escalation_request"].lane == "leaders_leader"
    assert specs["escalation_tr"].lane == "tr"
    assert specs["escalation_amr"].lane == "amr"
    fields = {field.id: field for field in specs["record_absence"].form.fields}
    assert fields["first_absence_day"].type == "date"
    # Inside the witnesses' round each step keeps its own lane, not the sub-process's.
    assert specs["colleague_account"].lane == "colleague" and specs["talk_colleague"].lane == "leader"


def test_settings_and_timers_name_settings() -> None:
    """Every timer reads a named setting; every setting is a duration vaern reads, and documented."""
    settings = _settings()
    assert settings == {
        "first_action_reminder": "1 arbejdsdag", "first_talk_due": "2 arbejdsdage",
        "serious_escalation_after": "5 arbejdsdage",
        "task_reminder": "3 arbejdsdage", "task_due": "5 arbejdsdage",
        "party_task_reminder": "2 arbejdsdage", "party_task_due": "5 arbejdsdage",
        "escalation_task_reminder": "2 arbejdsdage", "escalation_task_due": "3 arbejdsdage",
        "debriefing_reminder": "P2D", "debriefing_due": "P3D",
        "absence_record_reminder": "1 arbejdsdag", "absence_record_due": "3 arbejdsdage",
        "accident_report_reminder": "P10D", "accident_report_deadline": "P14D",
        "wellbeing_followup_after": "P28D",
    }
    documentation = _process().findtext("bpmn:documentation", namespaces=NS)
    for name in settings:
        if not WORKING_DAYS.match(settings[name]):
            TimerEventDefinition.parse_iso_duration(settings[name])
        assert f"- {name} = " in documentation
    for start_variable in ("employee_id", "incident_at", "serious", "injured", "severity", "witnesses_present"):
        assert start_variable in documentation
    timers = _process().findall(".//bpmn:timerEventDefinition/*", NS)
    assert len(timers) > 100
    for timer in timers:
        assert any(name in timer.text for name in settings), timer.text
    # LAW-1: the law's deadline, counted from the first absence day or, without absence beyond it, the injury day.
    start = "first_absence_day if absent_beyond_injury_day == True else incident_at"
    for timer_id, setting in (("timer_accident_deadline", "accident_report_deadline"),
                              ("timer_accident_reminder", "accident_report_reminder")):
        timer = _process().find(f".//bpmn:boundaryEvent[@id='{timer_id}']//bpmn:timeDate", NS)
        assert timer.text == f"deadline_after({start}, {setting})"


@pytest.mark.slow
def test_every_user_task_has_a_clock() -> None:
    """A reminder before the deadline, and after it: the leader's side is told and, if serious, escalated;
    a party's task closes and the leader decides; an escalation's task tells its own role."""
    nodes, lanes = _nodes(), _lanes()
    for task_id, task in nodes.items():
        if _kind(task) != "userTask":
            continue
        lane = lanes[task_id]
        boundaries = _boundaries(task_id)
        reminders = [b for b in boundaries if b.get("cancelActivity") == "false"
                     and any(_props(nodes[f.get("targetRef")]).get("notice") == "reminder" for f in _next(b.get("id")))]
        assert len(reminders) == 1, f"{task_id} has no reminder"
        [reminder_notice] = [nodes[f.get("targetRef")] for f in _next(reminders[0].get("id"))]
        assert _props(reminder_notice)["notify"] == lane, task_id
        [deadline] = [b for b in boundaries if b is not reminders[0]]
        after = _reachable(deadline.get("id"))
        notices = [_props(el) for el in after if _props(el).get("notify")]
        handed_to = {lanes[el.get("id")] for el in after if _kind(el) == "userTask"}
        if lane in PARTY_LANES:
            assert deadline.get("cancelActivity") == "true", f"{task_id}: a party's deadline closes the task"
            assert {"notify": "leader", "notice": "overdue"} in notices, task_id
            assert handed_to == {"leader"}, f"{task_id}: the leader decides after a party's silence"
        elif lane == "leader":
            assert deadline.get("cancelActivity") == "false", f"{task_id}: the leader's duty stays"
            assert "leaders_leader" in handed_to, f"{task_id}: an escalation hands the leader's leader a task"
            if task_id == "accident_report":   # the law's deadline always goes up the line
                assert notices == [{"notify": "leader", "notice": "escalated"}]
                continue
            assert {"notify": "tr,amr", "notice": "escalated"} in notices, task_id
            if task_id != "first_talk_serious":
                [gateway] = [el for el in after if _kind(el) == "exclusiveGateway"]
                conditions = [f.findtext("bpmn:conditionExpression", namespaces=NS) for f in _next(gateway.get("id"))]
                assert "serious == True" in conditions, task_id
                assert {"notify": "leader", "notice": "overdue"} in notices, task_id
        else:
            assert deadline.get("cancelActivity") == "false", task_id
            assert notices == [{"notify": lane, "notice": "overdue"}], task_id


@pytest.mark.slow
def test_notices_go_to_known_roles_and_the_leaders_leader_always_gets_a_task() -> None:
    """Throw events tell known roles with a known kind of notice; none tells the leader's leader without a task."""
    nodes, lanes = _nodes(), _lanes()
    notices = {}
    for event in _process().findall(".//bpmn:intermediateThrowEvent", NS):
        props = _props(event)
        if not props:
            continue
        assert set(props["notify"].split(",")) <= KNOWN_ROLES
        assert props["notice"] in NOTICE_KINDS
        notices[event.get("id")] = props
        if "leaders_leader" in props["notify"]:
            [source] = [nodes[f.get("sourceRef")] for f in _flows() if f.get("targetRef") == event.get("id")]
            [target] = [nodes[f.get("targetRef")] for f in _next(event.get("id"))]
            own_clock = _kind(source) == "boundaryEvent" and lanes[source.get("attachedToRef")] == "leaders_leader"
            hands_over = _kind(target) == "userTask" and lanes[target.get("id")] == "leaders_leader"
            assert own_clock or hands_over, event.get("id")
    assert notices["notify_first_action_reminder"] == {"notify": "leader", "notice": "reminder"}
    assert notices["notify_serious_escalated"] == {"notify": "tr,amr", "notice": "escalated"}
    assert notices["notify_escalation_requested"] == {"notify": "leaders_leader", "notice": "escalated"}
    assert notices["notify_accident_overdue"] == {"notify": "leader", "notice": "escalated"}


def test_the_listeners_and_the_end() -> None:
    """The affected's request and a later injury are caught beside the main path, which ends them."""
    document = _document()
    messages = {m.get("id"): m.get("name") for m in document.getroot().findall("bpmn:message", NS)}
    assert set(messages.values()) == {"escalation_requested", "injury_discovered"}
    caught = {el.get("id"): messages[el.find("bpmn:messageEventDefinition", NS).get("messageRef")]
              for el in _process().findall(".//bpmn:intermediateCatchEvent", NS)
              if el.find("bpmn:messageEventDefinition", NS) is not None}
    assert caught == {"catch_escalation_requested": "escalation_requested",
                      "catch_injury_discovered": "injury_discovered"}
    loop = [f.get("targetRef") for f in _next("escalation_request")]
    assert loop == ["gw_escalation_request_loop"], "the affected can ask again after an answer"
    assert _kind(_nodes()["wait_injury"]) == "eventBasedGateway"
    assert _nodes()["end_case"].find("bpmn:terminateEventDefinition", NS) is not None
    ends = [el.get("id") for el in _process().findall("bpmn:endEvent", NS)
            if el.find("bpmn:terminateEventDefinition", NS) is not None]
    assert ends == ["end_case"]


def test_the_first_absence_day_is_checked_against_the_incident_and_today() -> None:
    fields = {f.get("id"): f for f in _nodes()["record_absence"].findall(".//camunda:formField", NS)}
    day = fields["first_absence_day"]
    constraints = {c.get("name"): c.get("config") for c in day.findall(".//camunda:constraint", NS)}
    assert constraints == {"min": "incident_at", "max": "today()"}
    required_if = {p.get("id"): p.get("value") for p in day.findall(".//camunda:property", NS)}["required_if"]
    assert required_if == "absent_beyond_injury_day == True"


@pytest.mark.slow
def test_requirement_tags_only_on_elements_that_act() -> None:
    """A tag sits on a user task with a form, a conditional gateway or flow, a timer, a notice or a message catch."""
    def acts(element) -> bool:
        kind = _kind(element)
        if kind == "userTask":
            return element.find(".//camunda:formField", NS) is not None
        if kind in ("exclusiveGateway", "inclusiveGateway"):
            return any(f.find("bpmn:conditionExpression", NS) is not None for f in _next(element.get("id")))
        if kind == "sequenceFlow":
            return element.find("bpmn:conditionExpression", NS) is not None
        if element.find("bpmn:timerEventDefinition", NS) is not None:
            return True
        if kind == "intermediateThrowEvent":
            return "notify" in _props(element)
        if kind == "intermediateCatchEvent":
            return element.find("bpmn:messageEventDefinition", NS) is not None
        return False

    document = _document()
    tagged = 0
    for element in document.getroot().iter():
        if not isinstance(element.tag, str):
            continue
        doc = element.findtext("bpmn:documentation", namespaces=NS) or ""
        if _kind(element).endswith(("Task", "Event", "Gateway")) or _kind(element) in ("lane", "process"):
            assert element.get("name"), element.get("id")
            assert doc, f"{element.get('id')} has no documentation"
        if TAG.search(doc):
            assert acts(element), f"{element.get('id')} carries a requirement tag but does not act"
            assert doc.startswith("["), element.get("id")
            tagged += 1
    assert tagged > 100
    for gateway in _process().findall(".//bpmn:exclusiveGateway", NS):
        outgoing = _next(gateway.get("id"))
        if len(outgoing) > 1:
            for flow in outgoing:
                has_condition = flow.find("bpmn:conditionExpression", NS) is not None
                assert has_condition or gateway.get("default") == flow.get("id"), flow.get("id")


def _answers_records() -> dict[str, str]:
    """Field -> element for the violence section's records in docs/answers.md."""
    text = ANSWERS.read_text(encoding="utf-8")
    section = text.split("\n## violence", 1)[1].split("\n## ", 1)[0]
    records = {}
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] == "violence":
            for field in re.findall(r"`([a-z_0-9]+)`", cells[2]):
                records[field] = cells[1]
    return records


def test_every_answer_steers_or_is_a_declared_record() -> None:
    """Each boolean and choice is read by a condition, a timer or a required_if, or listed in docs/answers.md."""
    read = " ".join(
        [f.findtext("bpmn:conditionExpression", namespaces=NS) or "" for f in _flows()]
        + [el.text or "" for el in _process().findall(".//bpmn:timerEventDefinition/*", NS)]
        + [p.get("value") or "" for p in _process().findall(".//camunda:property[@id='required_if']", NS)])
    steering = set(re.findall(r"[a-z_][a-z_0-9]*", read))
    records = _answers_records()
    answers = {}
    for task in _process().findall(".//bpmn:userTask", NS):
        for field in task.findall(".//camunda:formField", NS):
            if field.get("type") in ("boolean", "enum"):
                answers.setdefault(field.get("id"), set()).add(task.get("id"))
    assert answers
    for field, tasks in answers.items():
        assert (field in steering) != (field in records), (
            f"{field} ({', '.join(sorted(tasks))}) must either steer or be a record in docs/answers.md, not both")
    assert set(records) <= set(answers), "docs/answers.md lists a violence field the diagram does not have"


def test_no_to_a_named_duty_creates_a_follow_up_task() -> None:
    """Staff cared for, VTC followed up, risk assessed, safety introduction, advice to see a doctor."""
    nodes, lanes = _nodes(), _lanes()
    for field, follow_up in (("all_involved_cared_for", "care_for_involved"), ("vtc_followed_up", "follow_up_vtc"),
                             ("risk_assessment_updated", "update_risk_assessment"),
                             ("safety_introduction_checked", "check_safety_introduction"),
                             ("doctor_advised", "doctor_follow_up")):
        [flow] = [f for f in _flows() if f.findtext("bpmn:conditionExpression", namespaces=NS) == f"{field} == False"]
        assert flow.get("targetRef") == follow_up
        assert _kind(nodes[follow_up]) == "userTask" and lanes[follow_up] == "leader"


def test_expressions_pass_the_restricted_evaluator() -> None:
    """Each condition, timer expression and form limit is one vaern's restricted evaluator accepts."""
    process = _process()
    texts = [el.text for el in process.findall(".//bpmn:conditionExpression", NS)]
    texts += [el.text for el in process.findall(".//bpmn:timerEventDefinition/*", NS)]
    texts += [p.get("value") for p in process.findall(".//camunda:property[@id='required_if']", NS)]
    texts += [c.get("config") for c in process.findall(".//camunda:constraint[@config]", NS)]
    for text in texts:
        assert check_expression(text) is None, text


# ---------------------------------------------------------------- runs

def test_injured_employee_with_police_report_and_accident_deadline(spec) -> None:
    """Injury, witnesses, debriefing, psychologist, police; the accident report is reminded, then escalated."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec, injured=True, severity=4, witnesses_present=True, witnesses="Kim, Sara")
        assert _ready(workflow) == {"first_talk": "leader"}, "not serious: the plain first talk"
        _complete(workflow, "first_talk", "leader", {**FIRST_TALK, "contact_initiated_by": "employee"})
        _complete(workflow, "plan_follow_up", "leader", {
            "debriefing_needed": True, "debriefing_date": "2026-03-04", "psychologist_needed": True,
            "police_report": True, "vtc_registrar": "employee", "exposure_over_5_days": False,
        })
        assert _ready(workflow) == {
            "employee_accept_help": "employee",
            "register_vtc_employee": "employee",
            "ensure_safety": "leader",
            "debriefing": "leader",
            "arrange_psychologist": "leader",
            "record_absence": "leader",
            "talk_witnesses": "leader",
        }
        # The parties answer in time; the police report is already agreed in the plan, so the affected's
        # wish for help adds no task, and the witness who needs to talk gets a talk with the leader.
        _complete(workflow, "employee_accept_help", "employee", {**EMPLOYEE_HELP, "wants_police_help": True})
        assert "police_help" not in _ready(workflow)
        _complete(workflow, "talk_witnesses", "leader", {"colleague_ids": ["emp-202"], "witness_talk_notes": ""})
        _complete(workflow, "colleague_account", "colleague",
                  {"colleague_experience": "Jeg så det fra gangen.", "colleague_needs_talk": True,
                   "colleague_felt_unsafe": False, "colleague_helps_registration": True})
        _complete(workflow, "talk_colleague", "leader", {"colleague_talk_date": "2026-03-03"})
        _complete(workflow, "ensure_safety", "leader", SAFETY)
        _complete(workflow, "register_vtc_employee", "employee", VTC)
        _complete(workflow, "arrange_psychologist", "leader", {"psychologist_contact_date": "2026-03-03"})
        _complete(workflow, "police_report_task", "leader",
                  {"police_report_date": "2026-03-05", "police_case_number": "4100-123",
                   "police_report_by_employee": True})
        _complete(workflow, "record_absence", "leader",
                  {"first_absence_day": "2026-03-03", "absent_beyond_injury_day": True})
        assert "accident_report" in _ready(workflow)

        # Day 10 after the first absence day (13 March) has not ended: no reminder yet.
        _travel_to(traveller, workflow, datetime(2026, 3, 13, 22, 59, tzinfo=timezone.utc))
        assert "notify_debriefing_overdue" in _completed(workflow)
        assert "notify_accident_reminder" not in _completed(workflow)
        _travel_to(traveller, workflow, datetime(2026, 3, 13, 23, 1, tzinfo=timezone.utc))
        assert {"notify_accident_reminder", "end_accident_reminder"} <= _completed(workflow)
        # The 14th day (17 March) counts whole: the deadline passes at midnight Danish time, not before.
        _travel_to(traveller, workflow, datetime(2026, 3, 17, 22, 59, tzinfo=timezone.utc))
        assert "notify_accident_overdue" not in _completed(workflow)
        _travel_to(traveller, workflow, datetime(2026, 3, 17, 23, 1, tzinfo=timezone.utc))
        assert "notify_accident_overdue" in _completed(workflow)
        assert {"accident_report", "escalate_accident_report"} <= set(_ready(workflow))
        assert _ready(workflow)["escalate_accident_report"] == "leaders_leader"

        _complete(workflow, "accident_report", "leader",
                  {"accident_reported_on": "2026-03-18", "accident_report_reference": "AMS-77"})
        _complete(workflow, "escalate_accident_report", "leaders_leader", {"late_step_actions": "Talt med lederen"})
        assert "analyse_event" not in _ready(workflow), "the analysis waits for the debriefing"
        _complete(workflow, "debriefing", "leader",
                  {"debriefing_held_on": "2026-03-04", "debriefing_led_by": "Leder", "debriefing_notes": ""})

        _follow_up_to_end(traveller, workflow, learning=True)
        done = _completed(workflow)
        assert {"advise_doctor", "register_vtc_leader", "first_talk_serious", "contact_employee"}.isdisjoint(done)
        assert "notify_first_action_reminder" not in done and "notify_serious_escalated" not in done


def test_not_injured_not_serious_goes_straight_to_the_end(spec) -> None:
    """No injury, no witnesses, every answer yes: only the core tasks, no notices, and the listeners end."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec)
        _complete(workflow, "first_talk", "leader", FIRST_TALK)
        _complete(workflow, "plan_follow_up", "leader", NO_FOLLOW_UP)
        assert _ready(workflow) == {"employee_accept_help": "employee", "register_vtc_leader": "leader",
                                    "ensure_safety": "leader"}
        waiting = {event.name for event in workflow.waiting_events() if event.name}
        assert "escalation_requested" in waiting
        _complete(workflow, "register_vtc_leader", "leader", VTC)
        _complete(workflow, "employee_accept_help", "employee", EMPLOYEE_HELP)
        _complete(workflow, "ensure_safety", "leader", SAFETY)
        _follow_up_to_end(traveller, workflow, learning=False)

        done = _completed(workflow)
        assert not {task for task in done if task.startswith("notify_")}
        assert "catch_follow_up_done" in done, "the wait for a later injury ended with the follow-up"
        assert {"record_absence", "accident_report", "advise_doctor", "debriefing", "arrange_psychologist",
                "police_report_task", "talk_witnesses", "colleague_account", "amr_learning",
                "register_vtc_employee", "first_talk_serious", "care_for_involved", "follow_up_vtc",
                "update_risk_assessment", "check_safety_introduction", "contact_employee"}.isdisjoint(done)


def test_a_silent_employee_closes_into_the_leaders_contact(spec) -> None:
    """The affected does not answer: the task closes after its deadline and the leader takes contact (V-H2)."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec)
        _complete(workflow, "first_talk", "leader", FIRST_TALK)
        _complete(workflow, "plan_follow_up", "leader", {**NO_FOLLOW_UP, "vtc_registrar": "employee"})
        # Five working days from Monday morning is the next Monday morning.
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=7, minutes=1))
        done = _completed(workflow)
        assert {"notify_employee_accept_help_reminder", "notify_employee_accept_help_overdue",
                "notify_register_vtc_employee_overdue"} <= done
        ready = _ready(workflow)
        assert "employee_accept_help" not in ready and "register_vtc_employee" not in ready
        assert ready["contact_employee"] == "leader" and ready["register_vtc_leader"] == "leader"


def test_serious_case_without_action_escalates(spec) -> None:
    """Serious and no first talk: a reminder after a day, then leader's leader, TR and AMR step in."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec, serious=True, injured=True, severity=5)
        assert _ready(workflow) == {"first_talk_serious": "leader"}

        _travel_to(traveller, workflow, REPORTED_AT + timedelta(hours=23))
        assert "notify_first_action_reminder" not in _completed(workflow)
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=1, minutes=1))
        assert {"notify_first_action_reminder", "end_first_action_reminder"} <= _completed(workflow)
        assert _ready(workflow) == {"first_talk_serious": "leader"}, "a reminder does not escalate"

        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=6, hours=23))
        assert "notify_serious_escalated" not in _completed(workflow)
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=7, minutes=1))
        assert "notify_serious_escalated" in _completed(workflow)
        assert _ready(workflow) == {
            "first_talk_serious": "leader",
            "escalation_leaders_leader": "leaders_leader",
            "escalation_tr": "tr",
            "escalation_amr": "amr",
        }
        for bpmn_id, lane in (("escalation_leaders_leader", "leaders_leader"), ("escalation_tr", "tr"),
                              ("escalation_amr", "amr")):
            _complete(workflow, bpmn_id, lane, {f"escalation_actions_{lane}": "Talt med lederen",
                                                f"escalation_leader_contacted_{lane}": True})
        assert "end_escalation" in _completed(workflow)

        # The leader acts after all; the acts went on for more than 5 days: advice to see a doctor.
        _complete(workflow, "first_talk_serious", "leader", FIRST_TALK)
        _complete(workflow, "plan_follow_up", "leader", {**NO_FOLLOW_UP, "exposure_over_5_days": True})
        assert _ready(workflow) == {
            "employee_accept_help": "employee", "register_vtc_leader": "leader", "advise_doctor": "leader",
            "ensure_safety": "leader",
        }
        _complete(workflow, "advise_doctor", "leader",
                  {"doctor_advised": True, "union_advised": True, "doctor_advice_date": "2026-03-08"})
        _complete(workflow, "register_vtc_leader", "leader", VTC)
        _complete(workflow, "employee_accept_help", "employee", EMPLOYEE_HELP)
        _complete(workflow, "ensure_safety", "leader", SAFETY)
        _follow_up_to_end(traveller, workflow, learning=False)
        assert {"record_absence", "accident_report", "doctor_follow_up"}.isdisjoint(_completed(workflow))


@pytest.mark.parametrize("serious", [False, True])
def test_a_late_step_tells_the_leader_or_escalates_with_a_task(spec, serious) -> None:
    """Past the plan's deadline: the leader is told; in a serious case TR and AMR are told and the
    leader's leader gets a task, while the leader's own task stays."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec, serious=serious)
        first = "first_talk_serious" if serious else "first_talk"
        _complete(workflow, first, "leader", FIRST_TALK)
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=3, hours=1))
        assert "notify_plan_follow_up_reminder" in _completed(workflow)
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=7, minutes=1))
        done, ready = _completed(workflow), _ready(workflow)
        assert "plan_follow_up" in ready
        if serious:
            assert "notify_plan_follow_up_escalated" in done and "notify_plan_follow_up_overdue" not in done
            assert ready["escalate_plan_follow_up"] == "leaders_leader"
        else:
            assert "notify_plan_follow_up_overdue" in done and "notify_plan_follow_up_escalated" not in done
            assert "escalate_plan_follow_up" not in ready


def test_serious_case_acted_on_in_time_does_not_escalate(spec) -> None:
    """Serious, but the first talk is held within hours: the first talk's reminder and escalation never fire."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec, serious=True)
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(hours=3))
        _complete(workflow, "first_talk_serious", "leader", FIRST_TALK)
        _complete(workflow, "plan_follow_up", "leader", NO_FOLLOW_UP)

        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=2))
        assert _ready(workflow) == {"employee_accept_help": "employee", "register_vtc_leader": "leader",
                                    "ensure_safety": "leader"}
        done = _completed(workflow)
        assert "notify_first_action_reminder" not in done
        assert "notify_serious_escalated" not in done
        waiting = {task.task_spec.bpmn_id for task in workflow.get_tasks() if task.state == TaskState.WAITING}
        assert not {"timer_first_action_reminder", "timer_serious_escalation"} & waiting
