"""workflows/harassment.bpmn runs in SpiffWorkflow 3.2 as drawn: offensive acts between employees.

These tests use SpiffWorkflow directly (no vaern engine), so they check the diagram itself. Conditions
and timer expressions go through simpleeval with `defined()`, as the conventions allow, never through
Python's eval. Forms are answered from their own field definitions, so a required field that a later
condition reads is always set. Each scenario is a plain function, so the branch-coverage test can
replay them all and check that every outgoing flow of every exclusive gateway was taken.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from simpleeval import EvalWithCompoundTypes
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from engine.lint import process_settings
from engine.expressions import WORKING_DAYS, restricted_script_engine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from engine.roles import KNOWN_ROLES

REPO_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = REPO_ROOT / "workflows" / "harassment.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
ROLE_KEYS = KNOWN_ROLES
START_VARIABLES = ("report_source", "kind", "serious", "employee_id", "accused_id", "description")
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
_DURATION = re.compile(r"^P(\d+[YMWD])*(T(\d+[HMS])+)?$")


class _SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates like vaern's restricted evaluator: simpleeval, `defined()`, ISO literals as themselves."""

    def evaluate(self, expression, context, external_context=None):
        names = dict(external_context or {})
        names.update(context)
        text = expression.strip()
        if _DURATION.match(text) and text not in names:
            return text
        return EvalWithCompoundTypes(names=names, functions={"defined": lambda name: name in names}).eval(text)

    def execute(self, script, context, external_context=None):
        raise AssertionError("the diagram must not contain scripts")

    def call_service(self, context, **kwargs):
        raise AssertionError("the diagram must not call services")


def _document() -> etree._ElementTree:
    return etree.parse(str(DIAGRAM))


def _settings() -> dict[str, str]:
    """The process's named settings, read the way the engine reads them."""
    return process_settings(_document().find("bpmn:process", NS))


def _properties(element: etree._Element) -> dict[str, str]:
    return {
        prop.get("name"): prop.get("value")
        for prop in element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)
    }


@pytest.fixture(scope="module")
def spec():
    """The parsed `harassment` process spec with its subprocess specs."""
    return _parse()


def _parse():
    """The process spec and its subprocess specs (the event subprocess), as vaern parses them."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("harassment"), parser.get_subprocess_specs("harassment")


# ---------------------------------------------------------------- running a case

class Case:
    """One case in memory: the workflow plus the helpers a scenario needs."""

    def __init__(self, specs, traveller, **start):
        self.traveller = traveller
        self.now = T0
        spec, subprocess_specs = specs
        self.workflow = BpmnWorkflow(spec, subprocess_specs,
                                     script_engine=restricted_script_engine(frozenset(_settings())))
        data = {
            "report_source": "affected",
            "kind": "offensive",
            "serious": False,
            "employee_id": "emp-ramt",
            "accused_id": "emp-krænker",
            "description": "Oplever gentagne nedsættende bemærkninger på personalemøder",
            **_settings(),
        }
        data.update(start)
        data = {key: value for key, value in data.items() if value is not None}
        self.workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
        self.workflow.do_engine_steps()

    def ready(self) -> dict[str, object]:
        """Ready user tasks by BPMN id (one each)."""
        tasks = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        ids = [task.task_spec.bpmn_id for task in tasks]
        assert len(ids) == len(set(ids)), ids
        return dict(zip(ids, tasks))

    def complete(self, bpmn_id: str, lane: str | None = None, **answers) -> None:
        """Answer the ready task's form (required fields filled, `answers` override) and run on."""
        ready = self.ready()
        assert bpmn_id in ready, f"{bpmn_id} is not ready; ready: {sorted(ready)}"
        task = ready[bpmn_id]
        if lane is not None:
            assert task.task_spec.lane == lane, (bpmn_id, task.task_spec.lane)
        task.data.update(_answers(task.task_spec, answers))
        task.run()
        self.workflow.do_engine_steps()

    def travel(self, **delta) -> None:
        """Move the clock on and let due timers fire."""
        self.now += timedelta(**delta)
        self.traveller.move_to(self.now)
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps()

    def send(self, message: str, payload: dict) -> None:
        """Deliver a message as vaern does: its payload lands in `message_data`."""
        event = BpmnEvent(MessageEventDefinition(message), payload={"payload": payload, "result_var": "message_data"})
        self.workflow.catch(event)
        self.workflow.do_engine_steps()

    def completed(self) -> set[str]:
        return {task.task_spec.bpmn_id for task in self.workflow.get_tasks(state=TaskState.COMPLETED)}

    def taken(self) -> set[tuple[str, str]]:
        """(gateway, next element) for every completed element that followed an exclusive gateway."""
        pairs = set()
        for task in self.workflow.get_tasks(state=TaskState.COMPLETED):
            parent = task.parent
            if parent is not None and parent.task_spec.bpmn_id and parent.task_spec.bpmn_id.startswith("Gateway_"):
                # a task with boundary events is entered through its "<id>.BoundaryEventSplit"
                pairs.add((parent.task_spec.bpmn_id, task.task_spec.bpmn_id or task.task_spec.name.split(".")[0]))
        return pairs


def _answers(task_spec, overrides: dict) -> dict:
    """A filled-in form: every required field and every boolean gets a value; overrides win."""
    values = {}
    for field in task_spec.form.fields:
        assert field.id not in values
        if field.id in overrides:
            continue
        required = any(rule.name == "required" for rule in field.validation)
        if field.type == "boolean":
            values[field.id] = False
        elif required and field.type == "enum":
            values[field.id] = field.options[0].id
        elif required and field.type == "date":
            values[field.id] = "2026-12-01"
        elif required and field.type == "long":
            values[field.id] = 1
        elif required:
            values[field.id] = f"Svar til {field.label}"
    unknown = set(overrides) - {field.id for field in task_spec.form.fields}
    assert not unknown, f"{task_spec.bpmn_id} has no form fields {unknown}"
    values.update(overrides)
    return values


def _run_after_conversation(case: Case, *, acknowledged=False, cause="individual", hr_sparring=False,
                            other_leader=False) -> None:
    """From the registration to the end, for an affected employee with a known accused."""
    case.complete("Task_Register", "leader")
    case.complete("Task_Assess", "leader", acts_acknowledged_and_stopped=acknowledged, cause=cause,
                  hr_sparring=hr_sparring, accused_has_other_leader=other_leader,
                  **({"other_personnel_leader_id": "leder-2"} if other_leader else {}))
    case.complete("Task_Support", "leader")
    if hr_sparring:
        case.complete("Task_HrSparring", "hr")
    if other_leader:
        case.complete("Task_OtherLeader", "other_personnel_leader")


def _hear_both_and_finish(case: Case, *, others_affected=False, cooperation_difficult=False) -> None:
    case.complete("Task_PrepareHearing", "leader", support_person_offered=True)
    assert {"Task_HearingAccused", "Task_HearingAffected"} <= set(case.ready())
    case.complete("Task_HearingAccused", "accused", accused_support_person="Kollega fra fagforeningen")
    assert "Task_Plan" not in case.ready(), "the plan waits until both parties are heard"
    case.complete("Task_HearingAffected", "employee")
    case.complete("Task_Plan", "leader", others_affected=others_affected)
    if others_affected:
        case.complete("Task_CommunicateOthers", "leader")
    _follow_up(case, cooperation_difficult=cooperation_difficult)


def _follow_up(case: Case, *, cooperation_difficult=False, culture=False) -> None:
    assert "Task_FollowUp" not in case.ready(), "the follow-up waits for followup_after"
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader", cooperation_still_difficult=cooperation_difficult)
    if cooperation_difficult:
        case.complete("Task_UnderlyingCauses", "leader")
    if culture:
        case.complete("Task_Culture", "leader")
    case.complete("Task_AfterCaseTalk", "employee", after_talk_with="tr")
    case.complete("Task_Learning", "leader")
    assert case.workflow.is_completed()
    assert "End_Closed" in case.completed()


# ---------------------------------------------------------------- scenarios

def scenario_confidential_case_ends_at_the_affected_wish(spec, traveller) -> Case:
    case = Case(spec, traveller)
    assert set(case.ready()) == {"Task_Conversation"}
    case.complete("Task_Conversation", "leader", wants_confidentiality=True, confidentiality_explained=True)
    case.complete("Task_JudgeConfidentiality", "leader", continue_despite_confidentiality=False)
    case.complete("Task_CloseAtWish", "leader", closing_options_informed=True)
    assert case.workflow.is_completed()
    assert "End_AtWish" in case.completed()
    assert "Task_Register" not in case.completed()
    return case


def scenario_confidential_case_goes_on(spec, traveller) -> Case:
    """Confidential, but serious enough to go on; acknowledged and stopped, so no investigation."""
    case = Case(spec, traveller, report_source="witness")
    case.complete("Task_Conversation", "leader", wants_confidentiality=True, position_stated=True)
    case.complete("Task_JudgeConfidentiality", "leader", continue_despite_confidentiality=True)
    _run_after_conversation(case, acknowledged=True)
    assert "Task_Investigate" not in case.ready()
    _hear_both_and_finish(case)
    assert "Task_Investigate" not in case.completed()
    assert "Task_CloseAtWish" not in case.completed()
    return case


def scenario_bullying_with_external_assistance(spec, traveller) -> Case:
    case = Case(spec, traveller, kind="bullying")
    case.complete("Task_Conversation", "leader")
    _run_after_conversation(case, acknowledged=True, cause="culture", hr_sparring=True, other_leader=True)
    case.complete("Task_ExternalAssistance", "leader", continued_after_stop=True, external_assistance="external")
    # bullying is always investigated, even when the acts are acknowledged and stopped
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader")
    case.complete("Task_HearingAffected", "employee")
    case.complete("Task_HearingAccused", "accused")
    case.complete("Task_Plan", "leader", others_affected=True, sanctions="initiated")
    case.complete("Task_CommunicateOthers", "leader")
    assert "Task_ReturnSupport" not in case.ready()
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader", cooperation_still_difficult=True)
    case.complete("Task_UnderlyingCauses", "leader")
    case.complete("Task_Culture", "leader")
    case.complete("Task_Learning", "leader")
    assert not case.workflow.is_completed(), "the affected's after-case talk is still open"
    case.complete("Task_AfterCaseTalk", "employee", mediation_wanted=True)
    assert case.workflow.is_completed()
    return case


def scenario_sexual_harassment_with_injury(spec, traveller) -> Case:
    """Injury → accident report (reminder, overdue), superior involved, accused misses the deadline, return support."""
    case = Case(spec, traveller, kind="sexual_harassment")
    case.complete("Task_Conversation", "leader")
    case.complete("Task_Register", "leader", vtc_registered=True, injured=True, absence=True, doctor_advised=True)
    assert set(case.ready()) == {"Task_AccidentReport"}
    case.travel(days=11)
    assert "Throw_AccidentReminder" in case.completed()
    assert "Throw_AccidentOverdue" not in case.completed()
    case.travel(days=4)
    assert "Throw_AccidentOverdue" in case.completed()
    case.complete("Task_AccidentReport", "leader", first_absence_day="2026-11-27", accident_reported=True)
    case.complete("Task_Assess", "leader", acts_acknowledged_and_stopped=True)
    case.complete("Task_Support", "leader")
    case.complete("Task_StatusPower", "leader", tr_amr_involved=True)
    case.complete("Task_SuperiorInvolved", "leaders_leader")
    # sexual harassment is always investigated
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader", support_person_offered=True)
    case.complete("Task_HearingAffected", "employee")
    case.travel(days=8)
    assert "Throw_HearingAccusedExpired" in case.completed()
    assert "Task_HearingAccused" not in case.ready()
    case.complete("Task_Plan", "leader")
    case.complete("Task_ReturnSupport", "leader")
    _follow_up(case)
    return case


def scenario_second_hand_signal(spec, traveller) -> Case:
    case = Case(spec, traveller, report_source="second_hand", accused_id=None)
    assert set(case.ready()) == {"Task_Messengers"}
    case.complete("Task_Messengers", "leader", secrecy_requested=True)
    case.complete("Task_ConsiderInvestigation", "leader", signal_investigation=True)
    case.complete("Task_SignalInvestigation", "leader")
    case.complete("Task_PreventionDialogue", "leader")
    assert case.workflow.is_completed()
    assert "End_Signal" in case.completed()
    assert not {"Task_Conversation", "Task_ConversationSerious"} & case.completed()
    return case


def scenario_anonymous_survey_signal(spec, traveller) -> Case:
    case = Case(spec, traveller, report_source="anonymous_survey", accused_id=None, serious=True)
    assert set(case.ready()) == {"Task_InformStaff"}
    case.complete("Task_InformStaff", "leader")
    case.complete("Task_ConsiderInvestigation", "leader", signal_investigation=False)
    case.complete("Task_PreventionDialogue", "leader")
    assert case.workflow.is_completed()
    return case


def scenario_serious_case_escalates(spec, traveller) -> Case:
    case = Case(spec, traveller, serious=True, report_source="tr_amr", kind="sexism")
    assert set(case.ready()) == {"Task_ConversationSerious"}
    # Two working days from Thursday morning is Monday morning; five is the next Thursday.
    case.travel(days=4, minutes=1)
    assert "Throw_FirstActionReminder" in case.completed()
    assert "Throw_SeriousEscalated" not in case.completed()
    assert set(case.ready()) == {"Task_ConversationSerious"}
    case.travel(days=3)
    assert "Throw_SeriousEscalated" in case.completed()
    ready = case.ready()
    assert set(ready) == {"Task_ConversationSerious", "Task_SeriousEscalation", "Task_TrFollowUp", "Task_AmrFollowUp"}
    assert ready["Task_SeriousEscalation"].task_spec.lane == "leaders_leader"
    assert ready["Task_TrFollowUp"].task_spec.lane == "tr"
    assert ready["Task_AmrFollowUp"].task_spec.lane == "amr"
    case.complete("Task_SeriousEscalation", "leaders_leader", escalation_leader_contacted=True)
    case.complete("Task_TrFollowUp", "tr")
    case.complete("Task_AmrFollowUp", "amr")
    case.complete("Task_ConversationSerious", "leader")
    case.travel(days=30)  # no further escalation once the leader has acted
    assert set(case.ready()) == {"Task_Register"}
    _run_after_conversation(case)
    case.complete("Task_StatusPower", "leader")
    case.complete("Task_SuperiorInvolved", "leaders_leader")
    case.complete("Task_Investigate", "leader")
    _hear_both_and_finish(case)
    assert "Task_ReturnSupport" not in case.completed(), "no absence, no return support"
    return case


def scenario_non_serious_case_never_escalates(spec, traveller) -> Case:
    case = Case(spec, traveller)
    case.travel(days=60)
    assert set(case.ready()) == {"Task_Conversation"}
    assert not {"Throw_FirstActionReminder", "Throw_SeriousEscalated"} & case.completed()
    return case


def scenario_withdrawn_complaint(spec, traveller) -> Case:
    case = Case(spec, traveller)
    case.send("complaint_withdrawn", {"reason": "Vi har selv talt sammen"})
    ready = case.ready()
    assert set(ready) == {"Task_RecordWithdrawal"}
    assert ready["Task_RecordWithdrawal"].data["message_data"] == {"reason": "Vi har selv talt sammen"}
    case.complete("Task_RecordWithdrawal", "leader", withdrawal_options_informed=True)
    assert case.workflow.is_completed()
    assert "End_Withdrawn" in case.completed()
    return case


def scenario_withdrawn_serious_complaint_after_escalation(spec, traveller) -> Case:
    """A withdrawal ends the whole case, including the open escalation tasks."""
    case = Case(spec, traveller, serious=True)
    case.travel(days=8)
    assert "Task_SeriousEscalation" in case.ready()
    case.send("complaint_withdrawn", {"reason": "Ønsker ikke at gå videre"})
    assert "Task_ConversationSerious" not in case.ready()
    case.complete("Task_RecordWithdrawal", "leader")
    assert case.workflow.is_completed()
    assert not case.ready()
    return case


def scenario_escalation_requested_by_the_affected(spec, traveller) -> Case:
    """The affected goes to the next level twice while the case runs; the case still ends cleanly."""
    case = Case(spec, traveller)
    case.send("escalation_requested", {"reason": "Min leder har ikke holdt samtalen"})
    ready = case.ready()
    assert set(ready) == {"Task_Conversation", "Task_EscalationRequest"}
    assert ready["Task_EscalationRequest"].task_spec.lane == "leaders_leader"
    assert ready["Task_EscalationRequest"].data["message_data"] == {"reason": "Min leder har ikke holdt samtalen"}
    assert "Throw_EscalationRequested" in case.completed()
    case.complete("Task_EscalationRequest", "leaders_leader", escalation_leader_followup=True)
    case.complete("Task_Conversation", "leader")
    _run_after_conversation(case)
    assert set(case.ready()) == {"Task_Investigate"}
    case.send("escalation_requested", {"reason": "Ingen tilbagemelding fra min leder"})
    ready = case.ready()
    assert set(ready) == {"Task_Investigate", "Task_EscalationRequest"}
    assert ready["Task_EscalationRequest"].data["message_data"] == {"reason": "Ingen tilbagemelding fra min leder"}
    case.complete("Task_EscalationRequest", "leaders_leader", escalation_feedback_given=True)
    case.complete("Task_Investigate", "leader")
    _hear_both_and_finish(case)
    return case


def scenario_culture_without_known_accused(spec, traveller) -> Case:
    """No accused_id: only the affected is heard; the affected's deadline passes."""
    case = Case(spec, traveller, accused_id=None)
    case.complete("Task_Conversation", "leader")
    _run_after_conversation(case, cause="culture")
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader")
    assert set(case.ready()) == {"Task_HearingAffected"}
    case.travel(days=8)
    assert "Throw_HearingAffectedExpired" in case.completed()
    case.complete("Task_Plan", "leader")
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader")
    case.complete("Task_Culture", "leader")
    case.complete("Task_AfterCaseTalk", "employee")
    case.complete("Task_Learning", "leader")
    assert case.workflow.is_completed()
    assert "Task_HearingAccused" not in case.completed()
    return case


SCENARIOS = [
    scenario_confidential_case_ends_at_the_affected_wish,
    scenario_confidential_case_goes_on,
    scenario_bullying_with_external_assistance,
    scenario_sexual_harassment_with_injury,
    scenario_second_hand_signal,
    scenario_anonymous_survey_signal,
    scenario_serious_case_escalates,
    scenario_non_serious_case_never_escalates,
    scenario_withdrawn_complaint,
    scenario_withdrawn_serious_complaint_after_escalation,
    scenario_escalation_requested_by_the_affected,
    scenario_culture_without_known_accused,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__.removeprefix("scenario_"))
def test_scenario(spec, scenario) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        scenario(spec, traveller)


def test_every_exclusive_gateway_branch_is_taken(spec) -> None:
    """Across the scenarios, every outgoing flow of every exclusive gateway with a choice is taken."""
    taken = set()
    for scenario in SCENARIOS:
        with time_machine.travel(T0, tick=False) as traveller:
            taken |= scenario(spec, traveller).taken()
    process = _document().find("bpmn:process", NS)
    branches = set()
    for gateway in process.iter(f"{{{NS['bpmn']}}}exclusiveGateway"):
        flows = [f for f in process.iter(f"{{{NS['bpmn']}}}sequenceFlow") if f.get("sourceRef") == gateway.get("id")]
        if len(flows) > 1:
            branches |= {(gateway.get("id"), flow.get("targetRef")) for flow in flows}
    assert branches, "no decisions found"
    assert branches - taken == set()


# ---------------------------------------------------------------- the diagram's static rules

def test_parses_with_camunda_parser(spec) -> None:
    """User tasks sit in role lanes and carry Camunda forms; the hearing is the accused's task."""
    spec, subprocess_specs = spec
    assert spec.name == "harassment"
    assert not subprocess_specs
    user_tasks = [t for t in spec.task_specs.values() if t.__class__.__name__ == "UserTask"]
    assert len(user_tasks) >= 30
    for task in user_tasks:
        assert task.lane in ROLE_KEYS, task.bpmn_id
        assert task.form.fields, task.bpmn_id
    hearing = spec.task_specs["Task_HearingAccused"]
    assert hearing.bpmn_name == "Partshøring"
    assert hearing.lane == "accused"
    # the accused has no other task
    assert [t.bpmn_id for t in user_tasks if t.lane == "accused"] == ["Task_HearingAccused"]


def test_forms_follow_the_conventions() -> None:
    """Danish labels, allowed types, enum options, textarea on long texts; no field asks about intent."""
    for task in _document().iter(f"{{{NS['bpmn']}}}userTask"):
        fields = task.findall("bpmn:extensionElements/camunda:formData/camunda:formField", NS)
        assert fields, task.get("id")
        for field in fields:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", field.get("id")), field.get("id")
            assert field.get("type") in {"string", "long", "boolean", "date", "enum"}
            assert field.get("label")
            if field.get("type") == "enum":
                assert field.findall("camunda:value", NS)
            assert not re.search(r"\b(hensigt|forsæt)(en|er)?\b", field.get("label").lower()), "LAW-3: no form asks for intent"
            assert "intent" not in field.get("id")


def test_hearing_has_its_deadline_timer() -> None:
    """Partshøring carries an interrupting timer on the hearing_deadline setting."""
    document = _document()
    [boundary] = document.xpath("//bpmn:boundaryEvent[@attachedToRef='Task_HearingAccused']", namespaces=NS)
    assert boundary.get("cancelActivity", "true") == "true"
    assert boundary.findtext("bpmn:timerEventDefinition/bpmn:timeDuration", namespaces=NS).strip() == "hearing_deadline"


def test_serious_timers_only_on_the_serious_conversation() -> None:
    """The escalation timers sit on the serious branch's conversation, non-interrupting."""
    document = _document()
    timers = {}
    for boundary in document.iter(f"{{{NS['bpmn']}}}boundaryEvent"):
        duration = boundary.findtext("bpmn:timerEventDefinition/bpmn:timeDuration", namespaces=NS)
        if duration:
            timers[duration.strip()] = boundary
    for name in ("first_action_reminder", "serious_escalation_after"):
        assert timers[name].get("attachedToRef") == "Task_ConversationSerious"
        assert timers[name].get("cancelActivity") == "false"
    assert not document.xpath("//bpmn:boundaryEvent[@attachedToRef='Task_Conversation']/bpmn:timerEventDefinition",
                              namespaces=NS)


def test_notices_name_roles_and_kinds() -> None:
    """Every notice event says whom to tell (role keys) and what kind of notice it is."""
    expected = {
        "Throw_FirstActionReminder": ("leader", "reminder"),
        "Throw_SeriousEscalated": ("tr,amr", "escalated"),
        "Throw_AccidentReminder": ("leader", "reminder"),
        "Throw_AccidentOverdue": ("leader,hr", "overdue"),
        "Throw_HearingAccusedExpired": ("leader", "overdue"),
        "Throw_HearingAffectedExpired": ("leader", "overdue"),
        "Throw_EscalationRequested": ("leaders_leader", "escalated"),
    }
    throws = {e.get("id"): _properties(e) for e in _document().iter(f"{{{NS['bpmn']}}}intermediateThrowEvent")}
    assert {key: (value["notify"], value["notice"]) for key, value in throws.items()} == expected
    for props in throws.values():
        assert set(props["notify"].split(",")) <= ROLE_KEYS


def test_messages() -> None:
    """complaint_withdrawn interrupts the conversations; escalation_requested is caught on a branch beside the case."""
    document = _document()
    messages = {m.get("name"): m.get("id") for m in document.findall("bpmn:message", NS)}
    assert set(messages) == {"complaint_withdrawn", "escalation_requested"}
    withdrawn = document.xpath(f"//bpmn:boundaryEvent[bpmn:messageEventDefinition/@messageRef='{messages['complaint_withdrawn']}']",
                               namespaces=NS)
    assert {b.get("attachedToRef") for b in withdrawn} == {"Task_Conversation", "Task_ConversationSerious"}
    assert all(b.get("cancelActivity", "true") == "true" for b in withdrawn)
    [catch] = document.xpath("//bpmn:intermediateCatchEvent[bpmn:messageEventDefinition/@messageRef="
                             f"'{messages['escalation_requested']}']", namespaces=NS)
    assert catch.get("id") == "Catch_EscalationRequested"
    # no event subprocess: SpiffWorkflow 3.2 rewires the shared spec when one is triggered
    assert not document.xpath("//bpmn:subProcess", namespaces=NS)


def test_expressions_fit_the_restricted_evaluator() -> None:
    """Timers name a setting; conditions are small simpleeval expressions over known variables."""
    settings = _settings()
    document = _document()
    timers = document.findall(".//bpmn:timerEventDefinition/bpmn:timeDuration", NS)
    assert {t.text.strip() for t in timers} == set(settings)
    for value in settings.values():
        assert _DURATION.match(value) or WORKING_DAYS.match(value), value
    sample = {"report_source": "affected", "kind": "offensive", "serious": False, "accused_id": "x",
              "signal_investigation": True, "wants_confidentiality": True, "continue_despite_confidentiality": False,
              "injured": False, "hr_sparring": False, "accused_has_other_leader": False, "absence": False,
              "acts_acknowledged_and_stopped": True, "others_affected": False, "cooperation_still_difficult": False,
              "cause": "culture"}
    for condition in document.findall(".//bpmn:conditionExpression", NS):
        text = condition.text.strip()
        assert "." not in text and "__" not in text and "import" not in text
        result = EvalWithCompoundTypes(names=sample, functions={"defined": lambda name: name in sample}).eval(text)
        assert isinstance(result, bool), text


def test_exclusive_gateways_have_conditions_or_a_default() -> None:
    process = _document().find("bpmn:process", NS)
    flows = list(process.iter(f"{{{NS['bpmn']}}}sequenceFlow"))
    for gateway in process.iter(f"{{{NS['bpmn']}}}exclusiveGateway"):
        outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue
        for flow in outgoing:
            assert flow.get("id") == gateway.get("default") or flow.find("bpmn:conditionExpression", NS) is not None


def test_every_element_is_traced_and_named() -> None:
    """Every element has documentation starting with a requirement ID, flow nodes a Danish name;
    the process documents every setting and start variable."""
    process = _document().find("bpmn:process", NS)
    for element in process.iter():
        if not isinstance(element.tag, str) or element.get("id") is None:
            continue
        if etree.QName(element).namespace != NS["bpmn"]:
            continue
        local = etree.QName(element).localname
        if local.endswith("EventDefinition") or local == "laneSet":
            continue
        doc = element.find("bpmn:documentation", NS)
        assert doc is not None and re.match(r"\[[A-Z]+-[A-Za-z0-9]+\]", doc.text), element.get("id")
        if local != "sequenceFlow":
            assert element.get("name"), element.get("id")
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        assert lane.get("name") in ROLE_KEYS
    documentation = process.find("bpmn:documentation", NS).text
    for name in _settings():
        assert f"- {name} = " in documentation, f"setting {name} is not documented on the process"
    for name in START_VARIABLES:
        assert f"- {name} (" in documentation, f"start variable {name} is not documented on the process"


def test_nothing_depends_on_who_the_leader_is() -> None:
    """An accused leader is replaced by the leader's leader, so no expression reads a leader's identity."""
    document = _document()
    texts = [c.text for c in document.iter(f"{{{NS['bpmn']}}}conditionExpression")]
    texts += [t.text for t in document.iter(f"{{{NS['bpmn']}}}timeDuration")]
    for text in texts:
        assert "leader_id" not in text and "assignee" not in text, text


def test_diagram_interchange_is_complete_and_tidy() -> None:
    """Every flow node, lane and flow is drawn; shapes do not overlap and sit inside their lane."""
    document = _document()
    process = document.find("bpmn:process", NS)
    shapes = {s.get("bpmnElement"): s.find("dc:Bounds", NS) for s in document.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in document.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    boxes = {}
    for element in process.iter():
        if not isinstance(element.tag, str) or element.get("id") is None:
            continue
        local = etree.QName(element).localname
        if local == "sequenceFlow":
            assert len(edges[element.get("id")].findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2
        elif local in {"lane"} or element.find("bpmn:outgoing", NS) is not None or element.find("bpmn:incoming", NS) is not None \
                or local == "subProcess":
            bounds = shapes[element.get("id")]
            boxes[element.get("id")] = (local, element, tuple(float(bounds.get(k)) for k in ("x", "y", "width", "height")))
    flow_nodes = {k: v for k, v in boxes.items() if v[0] not in {"lane", "boundaryEvent", "subProcess"}}
    ids = sorted(flow_nodes)
    for i, a in enumerate(ids):
        ax, ay, aw, ah = flow_nodes[a][2]
        for b in ids[i + 1:]:
            bx, by, bw, bh = flow_nodes[b][2]
            assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), (a, b)
    lanes = {lane.get("name"): (lane, boxes[lane.get("id")][2]) for lane in process.findall("bpmn:laneSet/bpmn:lane", NS)}
    for name, (lane, (lx, ly, lw, lh)) in lanes.items():
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            if ref.text not in flow_nodes:
                continue
            x, y, w, h = flow_nodes[ref.text][2]
            assert ly <= y and y + h <= ly + lh and lx <= x and x + w <= lx + lw, (name, ref.text)
