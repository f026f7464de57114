"""workflows/violence.bpmn runs in SpiffWorkflow 3.2 as drawn: violence from citizens, patients, relatives.

These tests use SpiffWorkflow directly (no vaern engine), so they check the diagram itself: the
first talk, the parallel help, registration and reporting, the work-accident deadline with its
reminder and escalation, the serious-case reminder and escalation, and the follow-up weeks later.
Conditions and timer expressions are evaluated by a plain Python script engine with a local
`date_add`; a separate test checks that each expression is one the restricted evaluator accepts.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.lint import process_settings
from engine.expressions import WORKING_DAYS, restricted_script_engine
from engine.roles import KNOWN_ROLES, NOTICE_KINDS

REPO_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = REPO_ROOT / "workflows" / "violence.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
ROLE_KEYS = KNOWN_ROLES
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


def date_add(start, duration: str) -> str:
    """ISO date-time (with UTC offset) of `start` (a date, date-time or ISO string) plus an ISO duration."""
    if isinstance(start, datetime):
        moment = start
    elif isinstance(start, date):
        moment = datetime.combine(start, time(0), timezone.utc)
    else:
        moment = datetime.fromisoformat(str(start))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    return (moment + TimerEventDefinition.get_timedelta_from_start(parsed, moment)).isoformat()


def _document() -> etree._ElementTree:
    return etree.parse(str(DIAGRAM))


def _process() -> etree._Element:
    return _document().find("bpmn:process", NS)


def _settings() -> dict[str, str]:
    """The process's named settings, read the way the engine reads them."""
    return process_settings(_process())


@pytest.fixture(scope="module")
def spec():
    """The parsed `violence` process spec."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("violence")


def _start(spec, **report) -> BpmnWorkflow:
    """A new case seeded with the report's data and the settings, run to its first waiting point."""
    workflow = BpmnWorkflow(
        spec, script_engine=restricted_script_engine(frozenset(_settings()))
    )
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update({**_settings(), **REPORT, **report})
    workflow.do_engine_steps()
    return workflow


def _ready(workflow: BpmnWorkflow) -> dict[str, str]:
    """Ready user tasks: bpmn id → lane."""
    return {task.task_spec.bpmn_id: task.task_spec.lane
            for task in workflow.get_tasks(state=TaskState.READY, manual=True)}


def _complete(workflow: BpmnWorkflow, bpmn_id: str, lane: str, answers: dict | None = None) -> None:
    """Fill in the form of the one ready task `bpmn_id`, check its lane, and run the engine on."""
    tasks = [task for task in workflow.get_tasks(state=TaskState.READY, manual=True)
             if task.task_spec.bpmn_id == bpmn_id]
    assert len(tasks) == 1, f"{bpmn_id} is not ready; ready: {_ready(workflow)}"
    task = tasks[0]
    assert task.task_spec.lane == lane
    task.data.update(answers or {})
    task.run()
    workflow.do_engine_steps()


def _completed(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)
            if task.task_spec.bpmn_id}


def _travel_to(traveller, workflow: BpmnWorkflow, moment: datetime) -> None:
    traveller.move_to(moment)
    workflow.refresh_timers()
    workflow.do_engine_steps()


def _follow_up_to_end(traveller, workflow: BpmnWorkflow, learning: bool) -> None:
    """From the safety task: analysis, adjustments, the well-being check weeks later, learning."""
    _complete(workflow, "ensure_safety", "leader",
              {"safety_measures": "Fælles gennemgang på personalemødet", "all_involved_cared_for": True})
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
    _complete(workflow, "wellbeing_check", "leader",
              {"poor_wellbeing_signs": False, "wellbeing_actions": ""})
    _complete(workflow, "decide_learning", "leader",
              {"learning_into_prevention": learning, "learning_summary": "Planlæg uddeling i ro"})
    if learning:
        _complete(workflow, "amr_learning", "amr", {"amr_learning_plan": "Tages op i AMG i april"})
    assert workflow.is_completed(), f"still ready: {_ready(workflow)}"
    assert "end_case" in _completed(workflow)


# ---------------------------------------------------------------- the diagram as a document

def test_parses_with_camunda_parser(spec) -> None:
    """Every user task sits in a known role lane and carries a Camunda form."""
    user_tasks = {name: task for name, task in spec.task_specs.items() if getattr(task, "manual", False)}
    assert len(user_tasks) >= 20
    for name, task in user_tasks.items():
        assert task.lane in ROLE_KEYS, name
        assert task.form.fields, f"{name} has no form fields"
    assert spec.task_specs["escalation_leaders_leader"].lane == "leaders_leader"
    assert spec.task_specs["escalation_tr"].lane == "tr"
    assert spec.task_specs["escalation_amr"].lane == "amr"
    fields = {field.id: field for field in spec.task_specs["record_absence"].form.fields}
    assert fields["first_absence_day"].type == "date"


def test_settings_and_timers_name_settings() -> None:
    """Every timer reads a named setting; every setting is a duration vaern reads, and documented."""
    settings = _settings()
    assert settings == {
        "first_action_reminder": "1 arbejdsdag",
        "serious_escalation_after": "5 arbejdsdage",
        "debriefing_due": "P3D",
        "accident_report_reminder": "P10D",
        "accident_report_deadline": "P14D",
        "wellbeing_followup_after": "P28D",
    }
    documentation = _process().findtext("bpmn:documentation", namespaces=NS)
    for name in settings:
        if not WORKING_DAYS.match(settings[name]):
            TimerEventDefinition.parse_iso_duration(settings[name])
        assert name in documentation
    for start_variable in ("employee_id", "serious", "injured", "severity", "witnesses_present"):
        assert start_variable in documentation
    timers = _process().findall(".//bpmn:timerEventDefinition/*", NS)
    assert timers
    for timer in timers:
        assert any(name in timer.text for name in settings), timer.text
    deadline = _process().find(".//bpmn:boundaryEvent[@id='timer_accident_deadline']//bpmn:timeDate", NS)
    assert deadline.text == "date_add(first_absence_day, accident_report_deadline)"


def test_every_element_is_documented_and_named() -> None:
    """Flow nodes and lanes have a Danish name and documentation that starts with requirement IDs."""
    process = _process()
    elements = [el for el in process.iter() if isinstance(el.tag, str)
                and etree.QName(el).localname.endswith(("Task", "Event", "Gateway", "lane"))]
    elements.append(process)
    for element in elements:
        assert element.get("name"), element.get("id")
        doc = element.findtext("bpmn:documentation", namespaces=NS) or ""
        assert doc.startswith("["), element.get("id")
    for gateway in process.findall("bpmn:exclusiveGateway", NS):
        outgoing = process.findall(f"bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']", NS)
        if len(outgoing) > 1:
            for flow in outgoing:
                has_condition = flow.find("bpmn:conditionExpression", NS) is not None
                assert has_condition or gateway.get("default") == flow.get("id"), flow.get("id")


def test_notices() -> None:
    """Throw events tell known roles with a known kind of notice."""
    events = _process().findall("bpmn:intermediateThrowEvent", NS)
    notices = {}
    for event in events:
        props = {p.get("name"): p.get("value")
                 for p in event.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)}
        assert set(props["notify"].split(",")) <= ROLE_KEYS
        assert props["notice"] in NOTICE_KINDS
        notices[event.get("id")] = props
    assert notices["notify_first_action_reminder"] == {"notify": "leader", "notice": "reminder"}
    assert notices["notify_serious_escalated"] == {"notify": "tr,amr", "notice": "escalated"}


def test_expressions_pass_the_restricted_evaluator() -> None:
    """Each condition and timer expression is one vaern's restricted evaluator accepts."""
    expressions = pytest.importorskip("engine.expressions")
    process = _process()
    texts = [el.text for el in process.findall(".//bpmn:conditionExpression", NS)]
    texts += [el.text for el in process.findall(".//bpmn:timerEventDefinition/*", NS)]
    for text in texts:
        assert expressions.check_expression(text) is None, text


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
            "debriefing": "leader",
            "arrange_psychologist": "leader",
            "record_absence": "leader",
            "talk_witnesses": "leader",
        }
        _complete(workflow, "record_absence", "leader",
                  {"first_absence_day": "2026-03-03", "absent_beyond_injury_day": True})
        assert "accident_report" in _ready(workflow)

        # Day 9 after the first absence day: nothing yet (the debriefing is overdue by now).
        _travel_to(traveller, workflow, datetime(2026, 3, 12, 12, 0, tzinfo=timezone.utc))
        assert "notify_debriefing_overdue" in _completed(workflow)
        assert "notify_accident_reminder" not in _completed(workflow)
        # Day 10: the reminder; the report is still due.
        _travel_to(traveller, workflow, datetime(2026, 3, 13, 0, 1, tzinfo=timezone.utc))
        assert {"notify_accident_reminder", "end_accident_reminder"} <= _completed(workflow)
        assert "notify_accident_overdue" not in _completed(workflow)
        assert "accident_report" in _ready(workflow)
        # Day 14 passed: escalation; the report task stays (the duty remains).
        _travel_to(traveller, workflow, datetime(2026, 3, 17, 0, 1, tzinfo=timezone.utc))
        assert {"notify_accident_overdue", "end_accident_overdue"} <= _completed(workflow)
        assert "accident_report" in _ready(workflow)

        _complete(workflow, "accident_report", "leader",
                  {"accident_reported_on": "2026-03-17", "accident_report_reference": "AMS-77"})
        _complete(workflow, "debriefing", "leader",
                  {"debriefing_held_on": "2026-03-04", "debriefing_led_by": "Leder", "debriefing_notes": ""})
        _complete(workflow, "arrange_psychologist", "leader", {"psychologist_contact_date": "2026-03-03"})
        _complete(workflow, "police_report_task", "leader",
                  {"police_report_date": "2026-03-05", "police_case_number": "4100-123",
                   "police_report_by_employee": True})
        _complete(workflow, "talk_witnesses", "leader", {"colleague_id": "emp-202", "witness_talk_notes": ""})
        _complete(workflow, "colleague_account", "colleague",
                  {"colleague_experience": "Jeg så det fra gangen.", "colleague_needs_talk": True,
                   "colleague_helps_registration": True})
        _complete(workflow, "employee_accept_help", "employee", {**EMPLOYEE_HELP, "wants_police_help": True})
        assert "ensure_safety" not in _ready(workflow), "the join waits for the VTC registration"
        _complete(workflow, "register_vtc_employee", "employee", VTC)

        _follow_up_to_end(traveller, workflow, learning=True)
        done = _completed(workflow)
        assert {"advise_doctor", "register_vtc_leader", "first_talk_serious"}.isdisjoint(done)
        assert "notify_first_action_reminder" not in done and "notify_serious_escalated" not in done


def test_not_injured_not_serious_goes_straight_to_the_end(spec) -> None:
    """No injury, no witnesses, nothing to decide: only the core tasks, no notices at all."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec)
        _complete(workflow, "first_talk", "leader", FIRST_TALK)
        _complete(workflow, "plan_follow_up", "leader", NO_FOLLOW_UP)
        assert _ready(workflow) == {"employee_accept_help": "employee", "register_vtc_leader": "leader"}
        _complete(workflow, "register_vtc_leader", "leader", VTC)
        _complete(workflow, "employee_accept_help", "employee", EMPLOYEE_HELP)
        _follow_up_to_end(traveller, workflow, learning=False)

        done = _completed(workflow)
        assert not {task for task in done if task.startswith("notify_")}
        assert {"record_absence", "accident_report", "advise_doctor", "debriefing", "arrange_psychologist",
                "police_report_task", "talk_witnesses", "colleague_account", "amr_learning",
                "register_vtc_employee", "first_talk_serious"}.isdisjoint(done)


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

        # Five working days from Monday morning is the next Monday morning.
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
        }
        _complete(workflow, "advise_doctor", "leader",
                  {"doctor_advised": True, "union_advised": True, "doctor_advice_date": "2026-03-08"})
        _complete(workflow, "register_vtc_leader", "leader", VTC)
        _complete(workflow, "employee_accept_help", "employee", EMPLOYEE_HELP)
        _follow_up_to_end(traveller, workflow, learning=False)
        assert {"record_absence", "accident_report"}.isdisjoint(_completed(workflow))


def test_serious_case_acted_on_in_time_does_not_escalate(spec) -> None:
    """Serious, but the first talk is held within hours: the reminder and escalation never fire."""
    with time_machine.travel(REPORTED_AT, tick=False) as traveller:
        workflow = _start(spec, serious=True)
        _travel_to(traveller, workflow, REPORTED_AT + timedelta(hours=3))
        _complete(workflow, "first_talk_serious", "leader", FIRST_TALK)
        _complete(workflow, "plan_follow_up", "leader", NO_FOLLOW_UP)

        _travel_to(traveller, workflow, REPORTED_AT + timedelta(days=6))
        assert _ready(workflow) == {"employee_accept_help": "employee", "register_vtc_leader": "leader"}
        done = _completed(workflow)
        assert "notify_first_action_reminder" not in done
        assert "notify_serious_escalated" not in done
        assert not any(task.task_spec.bpmn_id.startswith("timer_")
                       for task in workflow.get_tasks(state=TaskState.WAITING))
