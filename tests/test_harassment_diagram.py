"""workflows/harassment.bpmn runs in SpiffWorkflow 3.2 as drawn: offensive acts between employees.

These tests use SpiffWorkflow directly (no vaern engine), so they check the diagram itself. Conditions
and timer expressions go through vaern's restricted evaluator (simpleeval with `defined()` and
`deadline_after()`), never through Python's eval. Forms are answered from their own field definitions,
so a required field that a later condition reads is always set. Each scenario is a plain function, so
the branch-coverage test can replay them all and check that every outgoing flow of every exclusive
gateway was taken. The static tests below check the rules every task follows: a clock on each, parties
that never block, an escalation that hands over a task, every answer steering or declared a record.
"""
from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from simpleeval import EvalWithCompoundTypes
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expressions import WORKING_DAYS, check_expression, restricted_script_engine
from engine.bpmn.lint import process_settings
from engine.bpmn.workflow import set_case_variables
from engine.org.roles import KNOWN_ROLES

REPO_ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = REPO_ROOT / "workflows" / "harassment.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
ROLE_KEYS = KNOWN_ROLES
START_VARIABLES = ("report_source", "kind", "serious", "employee_id", "accused_id", "reporter_id", "description")
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


@functools.lru_cache(maxsize=1)
def _document() -> etree._ElementTree:
    """The diagram, parsed once (the tests only read it)."""
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


CONVERSATION_OK = {"position_stated": True}


def _register(case: Case, **answers) -> None:
    case.complete("Task_Register", "leader", **{"vtc_registered": True, **answers})


def _run_after_conversation(case: Case, *, acknowledged=False, cause="individual", hr_sparring=False,
                            other_leader=False, register=None) -> None:
    """From the registration to the kind-specific steps, for an affected employee with a known accused."""
    _register(case, **(register or {}))
    case.complete("Task_Assess", "leader", acts_acknowledged_and_stopped=acknowledged, cause=cause,
                  hr_sparring=hr_sparring, accused_has_other_leader=other_leader,
                  **({"other_personnel_leader_id": "leder-2"} if other_leader else {}))
    case.complete("Task_Support", "leader")
    if hr_sparring:
        case.complete("Task_HrSparring", "hr")
    if other_leader:
        case.complete("Task_OtherLeader", "other_personnel_leader")


def _hear_both_and_finish(case: Case, *, others_affected=False, cooperation_difficult=False) -> None:
    case.complete("Task_PrepareHearing", "leader")
    assert {"Task_HearingAccused", "Task_HearingAffected"} <= set(case.ready())
    case.complete("Task_HearingAccused", "accused", accused_support_wanted=True, accused_support_person="Kollega fra fagforeningen")
    assert "Task_Plan" not in case.ready(), "the plan waits until both parties are heard"
    case.complete("Task_HearingAffected", "employee")
    case.complete("Task_Plan", "leader", others_affected=others_affected)
    if others_affected:
        case.complete("Task_CommunicateOthers", "leader")
    _follow_up(case, cooperation_difficult=cooperation_difficult)


def _follow_up(case: Case, *, cooperation_difficult=False, culture=False, mediation=False) -> None:
    assert "Task_FollowUp" not in case.ready(), "the follow-up waits for followup_after"
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader", cooperation_still_difficult=cooperation_difficult)
    if cooperation_difficult:
        case.complete("Task_UnderlyingCauses", "leader")
    if culture:
        case.complete("Task_Culture", "leader")
    case.complete("Task_AfterCaseTalk", "employee", after_talk_with="tr", mediation_wanted=mediation)
    if mediation:
        case.complete("Task_Mediation", "leader")
    case.complete("Task_Learning", "leader")
    assert case.workflow.is_completed()
    assert "End_Closed" in case.completed()


def _serious_everywhere(case: Case) -> None:
    """What vaern's "mark serious" does (engine.bpmn.workflow.set_case_variables)."""
    set_case_variables(case.workflow, serious=True, severity=4)


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
    assert set(case.ready()) == {"Task_Conversation"}, "no reporter named: no witness task to wait for"
    case.complete("Task_Conversation", "leader", wants_confidentiality=True, confidentiality_explained=True,
                  position_stated=True)
    case.complete("Task_JudgeConfidentiality", "leader", continue_despite_confidentiality=True)
    _run_after_conversation(case, acknowledged=True)
    assert "Task_Investigate" not in case.ready()
    _hear_both_and_finish(case)
    assert not {"Task_Investigate", "Task_CloseAtWish", "Task_ConversationFollowUp"} & case.completed()
    return case


def scenario_bullying_with_koncern_hr_and_a_sanction_heard_before_it_is_decided(spec, traveller) -> Case:
    case = Case(spec, traveller, kind="bullying")
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _run_after_conversation(case, acknowledged=True, cause="culture", hr_sparring=True, other_leader=True)
    case.complete("Task_ExternalAssistance", "leader", continued_after_stop=True, external_assistance="koncern_hr")
    case.complete("Task_KoncernHrAssistance", "koncern_hr")
    # the acts went on after the affected said stop: bullying, always investigated, even when acknowledged
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader", hearing_material="Sagens oplysninger og ledelsens foreløbige vurdering")
    case.complete("Task_HearingAffected", "employee", affected_support_wanted=True, affected_support_person="TR")
    case.complete("Task_HearingAccused", "accused")
    case.complete("Task_Plan", "leader", others_affected=True, sanctions="proposed", proposed_sanction="Advarsel",
                  sanction_grounds="Gentagne krænkelser efter at den ramte har sagt fra")
    ready = case.ready()
    assert "Task_SanctionHearing" in ready and "Task_SanctionDecision" not in ready, "heard before it is decided"
    assert ready["Task_SanctionHearing"].task_spec.lane == "accused"
    assert ready["Task_SanctionHearing"].data["proposed_sanction"] == "Advarsel"
    case.complete("Task_SanctionHearing", "accused", sanction_statement="Jeg er uenig", sanction_support_wanted=True,
                  sanction_support_person="Min TR")
    case.complete("Task_SanctionDecision", "leader", sanction_decision="changed")
    case.complete("Task_CommunicateOthers", "leader")
    assert "Task_ReturnSupport" not in case.ready()
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader", cooperation_still_difficult=True)
    case.complete("Task_UnderlyingCauses", "leader")
    case.complete("Task_Culture", "leader")
    case.complete("Task_Learning", "leader")
    assert not case.workflow.is_completed(), "the affected's after-case talk is still open"
    case.complete("Task_AfterCaseTalk", "employee", mediation_wanted=True)
    case.complete("Task_Mediation", "leader")
    assert case.workflow.is_completed()
    return case


def scenario_bullying_that_stopped_when_the_affected_said_stop(spec, traveller) -> Case:
    """Acknowledged, stopped and not continued after 'stop': not bullying by definition, so no forced investigation."""
    case = Case(spec, traveller, kind="bullying")
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _run_after_conversation(case, acknowledged=True)
    case.complete("Task_ExternalAssistance", "leader", continued_after_stop=False, external_assistance="none")
    assert "Task_Investigate" not in case.ready() and "Task_PrepareHearing" in case.ready()
    _hear_both_and_finish(case)
    return case


def scenario_sexual_harassment_with_injury(spec, traveller) -> Case:
    """Injury with absence: the law's deadline counts from the first absence day; TR and AMR take part;
    the accused misses the hearing and the leader decides; return support after absence."""
    case = Case(spec, traveller, kind="sexual_harassment")
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _register(case, injured=True, injury_date="2026-11-20", absence=True, first_absence_day="2026-11-24",
              doctor_advised=True)
    assert {"Task_AccidentReport", "Task_Assess"} <= set(case.ready()), "the report runs beside the leader's path"
    # 2026-11-24 + 10 days: the reminder falls when 4 December has ended in Copenhagen (23:00 UTC)
    case.travel(days=8, hours=13, minutes=59)  # 2026-12-04 22:59 UTC
    assert "Throw_AccidentReminder" not in case.completed()
    case.travel(minutes=2)
    assert "Throw_AccidentReminder" in case.completed()
    case.travel(days=3, hours=23, minutes=58)  # 2026-12-08 22:59 UTC: the 14th day is not over yet
    assert "Throw_AccidentOverdue" not in case.completed()
    case.travel(minutes=2)
    assert "Throw_AccidentOverdue" in case.completed() and "Task_AccidentEscalation" not in case.ready()
    case.complete("Task_AccidentReport", "leader", accident_reported=True, accident_report_reference="EASY-1")
    case.complete("Task_Assess", "leader", acts_acknowledged_and_stopped=True)
    case.complete("Task_Support", "leader")
    case.complete("Task_StatusPower", "leader", tr_amr_involved=True)
    ready = case.ready()
    assert {"Task_SuperiorInvolved", "Task_TrFollowUp", "Task_AmrFollowUp"} <= set(ready)
    case.complete("Task_SuperiorInvolved", "leaders_leader")
    case.complete("Task_TrFollowUp", "tr", tr_went_further=True)
    case.complete("Task_AmrFollowUp", "amr")
    case.complete("Task_WentFurther", "leaders_leader")
    # sexual harassment is always investigated
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader")
    case.complete("Task_HearingAffected", "employee")
    case.travel(days=8)
    assert "Throw_HearingAccusedExpired" in case.completed()
    assert "Task_HearingAccused" not in case.ready() and "Task_Plan" not in case.ready()
    case.complete("Task_AccusedNotHeard", "leader", accused_hearing_outcome="heard_otherwise",
                  accused_statement_other="Afviser at have rørt den ramte")
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
    case = Case(spec, traveller, report_source="anonymous_survey", accused_id=None, employee_id=None)
    assert set(case.ready()) == {"Task_InformStaff"}
    case.complete("Task_InformStaff", "leader")
    case.travel(days=20)  # the next step is late: the leader is told (not serious, so no escalation)
    assert "Throw_ConsiderInvestigationOverdue" in case.completed()
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
    case.complete("Task_SeriousEscalation", "leaders_leader")
    case.complete("Task_TrFollowUp", "tr")
    case.complete("Task_AmrFollowUp", "amr", amr_went_further=True)
    case.complete("Task_WentFurther", "leaders_leader")
    case.complete("Task_ConversationSerious", "leader", **CONVERSATION_OK)
    # a serious case is chased at every step: the registration, left for three weeks, escalates too
    case.travel(days=21)
    assert "Throw_RegisterEscalated" in case.completed() and "Throw_RegisterOverdue" not in case.completed()
    assert case.ready()["Task_RegisterEscalation"].task_spec.lane == "leaders_leader"
    case.complete("Task_RegisterEscalation", "leaders_leader")
    _run_after_conversation(case)
    case.complete("Task_StatusPower", "leader")
    case.complete("Task_SuperiorInvolved", "leaders_leader")
    case.complete("Task_Investigate", "leader")
    _hear_both_and_finish(case)
    assert "Task_ReturnSupport" not in case.completed(), "no absence, no return support"
    return case


def scenario_non_serious_case_is_reminded_but_never_escalated(spec, traveller) -> Case:
    case = Case(spec, traveller)
    case.travel(days=60)
    assert set(case.ready()) == {"Task_Conversation"}
    assert {"Throw_ConversationReminder", "Throw_ConversationOverdue"} <= case.completed()
    assert not {"Throw_FirstActionReminder", "Throw_SeriousEscalated", "Throw_ConversationEscalated"} & case.completed()
    return case


def scenario_case_marked_serious_midway_escalates_its_next_deadline(spec, traveller) -> Case:
    """Marked serious while two of the leader's steps are open beside each other: both escalate."""
    case = Case(spec, traveller)
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    case.complete("Task_Register", "leader", vtc_registered=False)
    assert {"Task_Assess", "Task_VtcFollowUp"} <= set(case.ready())
    _serious_everywhere(case)
    case.travel(days=15)
    assert {"Throw_AssessEscalated", "Throw_VtcFollowUpEscalated"} <= case.completed()
    assert not {"Throw_AssessOverdue", "Throw_VtcFollowUpOverdue"} & case.completed()
    ready = case.ready()
    assert ready["Task_AssessEscalation"].task_spec.lane == ready["Task_VtcFollowUpEscalation"].task_spec.lane == "leaders_leader"
    return case


def scenario_withdrawn_complaint(spec, traveller) -> Case:
    case = Case(spec, traveller)
    case.send("complaint_withdrawn", {"reason": "Vi har selv talt sammen"})
    ready = case.ready()
    assert set(ready) == {"Task_Conversation", "Task_RecordWithdrawal"}
    assert ready["Task_RecordWithdrawal"].data["message_data"] == {"reason": "Vi har selv talt sammen"}
    case.complete("Task_RecordWithdrawal", "leader", withdrawal_options_informed=True)
    assert case.workflow.is_completed() and not case.ready()
    assert "End_Withdrawn" in case.completed()
    return case


def scenario_withdrawn_complaint_the_leader_takes_on(spec, traveller) -> Case:
    """K-H8: withdrawn late in the case, but serious enough to go on (a witness reported it, once)."""
    case = Case(spec, traveller, report_source="witness", reporter_id="emp-vidne")
    case.complete("Task_WitnessAccount", "reporter")
    assert "Task_WitnessFollowUp" not in case.ready()
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    case.send("complaint_withdrawn", {"reason": "Jeg orker det ikke"})
    case.complete("Task_RecordWithdrawal", "leader", continue_despite_withdrawal=True)
    assert "End_WithdrawalContinues" in case.completed() and not case.workflow.is_completed()
    _run_after_conversation(case)
    case.complete("Task_Investigate", "leader")
    _hear_both_and_finish(case)
    return case


def scenario_withdrawn_serious_complaint_after_escalation(spec, traveller) -> Case:
    """A withdrawal ends the whole case, including the open escalation tasks."""
    case = Case(spec, traveller, serious=True)
    case.travel(days=8)
    assert "Task_SeriousEscalation" in case.ready()
    case.send("complaint_withdrawn", {"reason": "Ønsker ikke at gå videre"})
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
    assert "Task_EscalationFeedback" in case.ready(), "no feedback yet: the leader's leader is to give it"
    case.complete("Task_EscalationFeedback", "leaders_leader")
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
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
    """No accused_id: only the affected is heard; the affected's deadline passes and the leader decides."""
    case = Case(spec, traveller, accused_id=None)
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _run_after_conversation(case, cause="culture")
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader")
    assert set(case.ready()) == {"Task_HearingAffected"}
    case.travel(days=8)
    assert "Throw_HearingAffectedExpired" in case.completed()
    case.complete("Task_AffectedNotHeard", "leader")
    case.complete("Task_Plan", "leader", sanctions="proposed")  # no known accused: nobody to sanction
    assert "Task_SanctionHearing" not in case.ready()
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader")
    case.complete("Task_Culture", "leader")
    case.complete("Task_AfterCaseTalk", "employee")
    case.complete("Task_Learning", "leader")
    assert case.workflow.is_completed()
    assert "Task_HearingAccused" not in case.completed()
    return case


def scenario_witness_reported_case(spec, traveller) -> Case:
    """A witness reports; the witness tells what they saw beside the leader's path, which never waits for it;
    acts seen again and again get the leader's talk with the witness about the culture."""
    case = Case(spec, traveller, report_source="witness", reporter_id="emp-vidne")
    ready = case.ready()
    assert set(ready) == {"Task_Conversation", "Task_WitnessAccount"}
    assert ready["Task_WitnessAccount"].task_spec.lane == "reporter"
    case.send("escalation_requested", {"reason": "Den ramte vil have næste ledelsesniveau med"})
    case.complete("Task_EscalationRequest", "leaders_leader", escalation_feedback_given=True)
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _run_after_conversation(case)
    case.complete("Task_Investigate", "leader")
    assert "Task_PrepareHearing" in case.ready(), "the hearing does not wait for the witness"
    case.complete("Task_WitnessAccount", "reporter", witness_intervened=True, witness_repeated=True)
    case.complete("Task_WitnessFollowUp", "leader")
    _hear_both_and_finish(case)
    return case


def scenario_parties_silent_and_the_case_still_closes(spec, traveller) -> Case:
    """The witness, the accused and the affected never act: each task expires into a leader decision."""
    case = Case(spec, traveller, report_source="witness", reporter_id="emp-vidne")
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _run_after_conversation(case)
    case.travel(days=15)
    assert "Throw_WitnessAccountExpired" in case.completed()
    case.complete("Task_WitnessSilent", "leader")
    case.complete("Task_Investigate", "leader")
    case.complete("Task_PrepareHearing", "leader")
    case.travel(days=8)
    assert {"Throw_HearingAccusedExpired", "Throw_HearingAffectedExpired"} <= case.completed()
    case.complete("Task_AccusedNotHeard", "leader")
    case.complete("Task_AffectedNotHeard", "leader")
    case.complete("Task_Plan", "leader", sanctions="proposed", proposed_sanction="Påtale", sanction_grounds="x")
    case.travel(days=8)
    assert "Throw_SanctionHearingExpired" in case.completed()
    case.complete("Task_SanctionDecision", "leader", sanction_decision="imposed")
    case.travel(days=15)
    case.complete("Task_FollowUp", "leader")
    case.complete("Task_Learning", "leader")
    assert not case.workflow.is_completed()
    case.travel(days=15)
    assert "Throw_AfterCaseTalkExpired" in case.completed()
    case.complete("Task_AfterCaseTalkMissed", "leader")
    assert case.workflow.is_completed()
    assert not {"Task_WitnessAccount", "Task_HearingAccused", "Task_HearingAffected", "Task_SanctionHearing",
                "Task_AfterCaseTalk"} & case.completed()
    return case


def scenario_injury_discovered_later(spec, traveller) -> Case:
    """No injury at registration; it comes to light later and starts the accident report with the law's deadline."""
    case = Case(spec, traveller)
    case.complete("Task_Conversation", "leader", **CONVERSATION_OK)
    _register(case, injured=False)
    assert "Task_AccidentReport" not in case.ready()
    case.send("injury_discovered", {"note": "Sygemeldt siden mandag"})
    case.complete("Task_InjuryDiscovered", "leader", injury_date="2026-11-23", absence=True, first_absence_day="2026-11-23")
    assert "Task_AccidentReport" in case.ready()
    case.travel(days=11, hours=13, minutes=59)  # 2026-12-07 22:59 UTC: the 14th day after 23 November runs
    assert "Throw_AccidentOverdue" not in case.completed()
    case.travel(minutes=2)
    assert "Throw_AccidentOverdue" in case.completed()
    case.complete("Task_AccidentReport", "leader", accident_reported=False)
    case.complete("Task_AccidentFollowUp", "leader", accident_followup="reported")
    case.send("injury_discovered", {"note": "Endnu en skade"})
    assert "Task_InjuryDiscovered" in case.ready(), "a later injury can be registered again"
    return case


def scenario_duties_said_no_to_get_follow_ups(spec, traveller) -> Case:
    """The position not stated in the conversation, VTC not registered: each 'no' gets a follow-up task."""
    case = Case(spec, traveller)
    case.complete("Task_Conversation", "leader", position_stated=False)
    assert set(case.ready()) == {"Task_ConversationFollowUp"}
    case.complete("Task_ConversationFollowUp", "leader")
    case.complete("Task_Register", "leader", vtc_registered=False)
    assert {"Task_VtcFollowUp", "Task_Assess"} <= set(case.ready())
    case.complete("Task_VtcFollowUp", "leader")
    assert "End_VtcFollowUp" in case.completed()
    return case


SCENARIOS = [
    scenario_confidential_case_ends_at_the_affected_wish,
    scenario_confidential_case_goes_on,
    scenario_bullying_with_koncern_hr_and_a_sanction_heard_before_it_is_decided,
    scenario_bullying_that_stopped_when_the_affected_said_stop,
    scenario_sexual_harassment_with_injury,
    scenario_second_hand_signal,
    scenario_anonymous_survey_signal,
    scenario_serious_case_escalates,
    scenario_non_serious_case_is_reminded_but_never_escalated,
    scenario_case_marked_serious_midway_escalates_its_next_deadline,
    scenario_withdrawn_complaint,
    scenario_withdrawn_complaint_the_leader_takes_on,
    scenario_withdrawn_serious_complaint_after_escalation,
    scenario_escalation_requested_by_the_affected,
    scenario_culture_without_known_accused,
    scenario_witness_reported_case,
    scenario_parties_silent_and_the_case_still_closes,
    scenario_injury_discovered_later,
    scenario_duties_said_no_to_get_follow_ups,
]


_TAKEN: dict[str, set[tuple[str, str]]] = {}  # what each scenario took, so the coverage test need not run it again


def _run(spec, scenario) -> set[tuple[str, str]]:
    if scenario.__name__ not in _TAKEN:
        with time_machine.travel(T0, tick=False) as traveller:
            _TAKEN[scenario.__name__] = scenario(spec, traveller).taken()
    return _TAKEN[scenario.__name__]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__.removeprefix("scenario_"))
def test_scenario(spec, scenario) -> None:
    _run(spec, scenario)


def test_every_exclusive_gateway_branch_is_taken(spec) -> None:
    """Across the scenarios, every outgoing flow of every exclusive gateway with a choice is taken.

    The gateways after each task's deadline ("Særlig alvorlig sag?") share one pattern, checked by
    test_every_task_has_a_clock; the scenarios take both of their branches on some of them."""
    taken = set()
    for scenario in SCENARIOS:
        taken |= _run(spec, scenario)
    process = _document().find("bpmn:process", NS)
    branches = set()
    for gateway in process.iter(f"{{{NS['bpmn']}}}exclusiveGateway"):
        flows = [f for f in process.iter(f"{{{NS['bpmn']}}}sequenceFlow") if f.get("sourceRef") == gateway.get("id")]
        if len(flows) > 1 and not gateway.get("id").endswith("Late"):
            branches |= {(gateway.get("id"), flow.get("targetRef")) for flow in flows}
    assert branches, "no decisions found"
    assert branches - taken == set()
    late = {pair for pair in taken if pair[0].endswith("Late")}
    assert any(target.endswith("Escalated") for _, target in late) and any(target.endswith("Overdue") for _, target in late)


# ---------------------------------------------------------------- the diagram's static rules

PARTY_LANES = {"employee", "accused", "reporter", "colleague"}
CHASED_LANES = {"leader", "hr", "other_personnel_leader", "koncern_hr"}  # serious -> leader's leader


def _nodes() -> dict[str, etree._Element]:
    process = _document().find("bpmn:process", NS)
    return {el.get("id"): el for el in process if isinstance(el.tag, str) and el.get("id")}


def _lanes() -> dict[str, str]:
    process = _document().find("bpmn:process", NS)
    return {ref.text: lane.get("name") for lane in process.iter(f"{{{NS['bpmn']}}}lane")
            for ref in lane.findall("bpmn:flowNodeRef", NS)}


@functools.lru_cache(maxsize=1)
def _outgoing() -> dict[str, list[etree._Element]]:
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in _document().find("bpmn:process", NS).iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    return outgoing


def _next(nodes, node_id) -> list[tuple[etree._Element, etree._Element]]:
    """(flow, target) for each outgoing flow."""
    return [(f, nodes[f.get("targetRef")]) for f in _outgoing().get(node_id, [])]


def test_parses_with_camunda_parser(spec) -> None:
    """User tasks sit in role lanes and carry Camunda forms; the accused has only the hearings."""
    spec, subprocess_specs = spec
    assert spec.name == "harassment"
    assert not subprocess_specs
    user_tasks = [t for t in spec.task_specs.values() if t.__class__.__name__ == "UserTask"]
    assert len(user_tasks) >= 40
    for task in user_tasks:
        assert task.lane in ROLE_KEYS, task.bpmn_id
        assert task.form.fields, task.bpmn_id
    hearing = spec.task_specs["Task_HearingAccused"]
    assert hearing.bpmn_name == "Partshøring"
    assert hearing.lane == "accused"
    assert sorted(t.bpmn_id for t in user_tasks if t.lane == "accused") == ["Task_HearingAccused", "Task_SanctionHearing"]


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


def _timer_text(boundary) -> tuple[str, str]:
    definition = boundary.find("bpmn:timerEventDefinition", NS)
    [value] = [c for c in definition if isinstance(c.tag, str)]
    return etree.QName(value).localname, value.text.strip()


def _notice_after(nodes, node_id) -> etree._Element:
    [(_, target)] = _next(nodes, node_id)
    assert etree.QName(target).localname == "intermediateThrowEvent", (node_id, target.get("id"))
    return target


def test_every_task_has_a_clock() -> None:
    """Each user task: a reminder to its own role and a deadline with what happens after it.

    A party's deadline is interrupting and tells the leader, who decides; a leader-side deadline leaves
    the task open, tells the role, and in a serious case escalates to TR/AMR with a task for the leader's
    leader; the leader's leader's, TR's and AMR's own tasks are told overdue."""
    nodes, lanes = _nodes(), _lanes()
    settings = set(_settings())
    for task_id, task in nodes.items():
        if etree.QName(task).localname != "userTask":
            continue
        lane = lanes[task_id]
        boundaries = [b for b in nodes.values() if b.get("attachedToRef") == task_id
                      and b.find("bpmn:timerEventDefinition", NS) is not None]
        assert len(boundaries) == 2, (task_id, [b.get("id") for b in boundaries])
        def first(boundary):
            return _next(nodes, boundary.get("id"))[0][1]

        reminder = [b for b in boundaries if etree.QName(first(b)).localname == "intermediateThrowEvent"
                    and _properties(first(b)).get("notice") == "reminder"]
        assert len(reminder) == 1, task_id
        [deadline] = [b for b in boundaries if b is not reminder[0]]
        assert reminder[0].get("cancelActivity") == "false"
        assert _properties(first(reminder[0]))["notify"] == lane, task_id
        for boundary in boundaries:
            kind, text = _timer_text(boundary)
            assert text in settings or (kind == "timeDate" and text.startswith("deadline_after(")), (task_id, text)
        if lane in PARTY_LANES:
            assert deadline.get("cancelActivity", "true") == "true", f"{task_id}: a party's task must not block"
            notice = _notice_after(nodes, deadline.get("id"))
            assert _properties(notice) == {"notify": "leader", "notice": "overdue"}, task_id
            [(_, decision)] = _next(nodes, notice.get("id"))
            assert lanes[decision.get("id")] == "leader" or etree.QName(decision).localname.endswith("Gateway"), task_id
        elif lane in CHASED_LANES and task_id != "Task_ConversationSerious":
            assert deadline.get("cancelActivity") == "false", task_id
            [(_, late)] = _next(nodes, deadline.get("id"))
            assert etree.QName(late).localname == "exclusiveGateway", task_id
            outs = {f.findtext("bpmn:conditionExpression", namespaces=NS): target for f, target in _next(nodes, late.get("id"))}
            escalated = outs.pop("serious == True")
            assert _properties(escalated) == {"notify": "tr,amr", "notice": "escalated"}, task_id
            [(_, handed_over)] = _next(nodes, escalated.get("id"))
            assert etree.QName(handed_over).localname == "userTask" and lanes[handed_over.get("id")] == "leaders_leader"
            [overdue] = outs.values()
            assert _properties(overdue)["notice"] == "overdue" and lane in _properties(overdue)["notify"].split(",")
        elif task_id != "Task_ConversationSerious":
            assert deadline.get("cancelActivity") == "false", task_id
            assert _properties(_notice_after(nodes, deadline.get("id"))) == {"notify": lane, "notice": "overdue"}, task_id
    serious = nodes["Boundary_SeriousEscalation"]
    assert serious.get("attachedToRef") == "Task_ConversationSerious" and _timer_text(serious)[1] == "serious_escalation_after"
    assert _properties(_notice_after(nodes, "Boundary_SeriousEscalation")) == {"notify": "tr,amr", "notice": "escalated"}


def test_the_accident_deadline_is_the_laws() -> None:
    """LAW-1: counted from the first absence day (or the injury without absence), the last day whole, Danish time;
    the dates it counts from are required when there is absence and must be plausible."""
    nodes = _nodes()
    assert _timer_text(nodes["Boundary_AccidentOverdue"]) == (
        "timeDate", "deadline_after((first_absence_day if absence == True else injury_date), accident_report_deadline)")
    assert _timer_text(nodes["Boundary_AccidentReminder"])[1].endswith("accident_report_reminder)")
    assert _settings()["accident_report_deadline"] == "P14D"
    for task_id in ("Task_Register", "Task_InjuryDiscovered"):
        [first] = nodes[task_id].xpath(".//camunda:formField[@id='first_absence_day']", namespaces=NS)
        assert first.xpath("camunda:properties/camunda:property[@id='required_if']/@value", namespaces=NS) == ["absence == True"]
        limits = {c.get("name"): c.get("config") for c in first.findall("camunda:validation/camunda:constraint", NS)}
        assert limits == {"min": "injury_date", "max": "today()"}


def test_nobody_is_assigned_nothing() -> None:
    """The other personnel leader's id is required once the yes is given (K-H12)."""
    [other] = _nodes()["Task_Assess"].xpath(".//camunda:formField[@id='other_personnel_leader_id']", namespaces=NS)
    assert other.xpath("camunda:properties/camunda:property[@id='required_if']/@value", namespaces=NS) == [
        "accused_has_other_leader == True"]


def test_hearings_show_what_is_heard_and_offer_a_support_person() -> None:
    """Each hearing names the case fields its party sees; each offers a bisidder (LAW-6)."""
    nodes = _nodes()
    known = set(START_VARIABLES) | {f.get("id") for f in _document().iter(f"{{{NS['camunda']}}}formField")}
    expected = {"Task_HearingAccused": "description,hearing_material", "Task_HearingAffected": "hearing_material",
                "Task_SanctionHearing": "description,hearing_material,proposed_sanction,sanction_grounds"}
    for task_id, material in expected.items():
        assert _properties(nodes[task_id])["hearing_material"] == material
        assert set(material.split(",")) <= known
        fields = {f.get("id") for f in nodes[task_id].iter(f"{{{NS['camunda']}}}formField")}
        assert any(name.endswith("support_person") for name in fields), task_id


def test_a_proposed_sanction_is_heard_before_it_is_decided() -> None:
    nodes = _nodes()
    outs = {f.findtext("bpmn:conditionExpression", namespaces=NS): t.get("id") for f, t in _next(nodes, "Gateway_Sanctions")}
    assert outs['sanctions == "proposed" and defined("accused_id")'] == "Task_SanctionHearing"
    assert [t.get("id") for _, t in _next(nodes, "Task_SanctionHearing")] == ["Gateway_SanctionHeard"]
    assert [t.get("id") for _, t in _next(nodes, "Gateway_SanctionHeard")] == ["Task_SanctionDecision"]
    options = nodes["Task_Plan"].xpath(".//camunda:formField[@id='sanctions']/camunda:value/@id", namespaces=NS)
    assert options == ["none", "proposed"]


def _read_names(text: str) -> set[str]:
    names = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", text))
    names |= set(re.findall(r'defined\("([a-z_0-9]+)"\)', text))
    return names


def _records() -> dict[str, str]:
    """The harassment section of docs/answers.md: field -> reason."""
    text = (REPO_ROOT / "docs" / "answers.md").read_text(encoding="utf-8")
    section = text.split("## harassment", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] == "harassment":
            rows[cells[2]] = cells[3]
    return rows


def test_every_answer_steers_or_is_a_record() -> None:
    """Each boolean and choice either is read by a condition or timer, or is a record with its reason."""
    document = _document()
    read = set()
    for element in document.iter(f"{{{NS['bpmn']}}}conditionExpression", f"{{{NS['bpmn']}}}timeDate"):
        read |= _read_names(element.text)
    records = _records()
    answers = {f.get("id") for f in document.iter(f"{{{NS['camunda']}}}formField") if f.get("type") in ("boolean", "enum")}
    assert answers - read - set(records) == set(), "answers that neither steer nor are declared records"
    assert set(records) & read == set(), "a record that steers is not a record"
    assert set(records) <= answers
    assert all(len(reason) > 20 for reason in records.values())


def test_notices_name_roles_and_kinds() -> None:
    """Every notice event says whom to tell (role keys) and what kind of notice it is; none tells the
    leader's leader without a task for them."""
    throws = {e.get("id"): _properties(e) for e in _document().iter(f"{{{NS['bpmn']}}}intermediateThrowEvent")}
    expected = {
        "Throw_FirstActionReminder": ("leader", "reminder"),
        "Throw_SeriousEscalated": ("tr,amr", "escalated"),
        "Throw_AccidentReminder": ("leader", "reminder"),
        "Throw_AccidentOverdue": ("leader,hr", "overdue"),
        "Throw_HearingAccusedExpired": ("leader", "overdue"),
        "Throw_HearingAffectedExpired": ("leader", "overdue"),
        "Throw_EscalationRequested": ("leaders_leader", "escalated"),
    }
    assert {key: (throws[key]["notify"], throws[key]["notice"]) for key in expected} == expected
    nodes, lanes = _nodes(), _lanes()
    for throw_id, props in throws.items():
        assert set(props["notify"].split(",")) <= ROLE_KEYS
        assert props["notice"] in {"reminder", "overdue", "escalated"}
        if "leaders_leader" in props["notify"].split(","):
            [(_, after)] = _next(nodes, throw_id)
            assert lanes[after.get("id")] == "leaders_leader" or lanes[throw_id] == "leaders_leader", throw_id


def test_messages_are_listened_for_the_whole_case() -> None:
    """Each message is caught in a branch that starts with the case (a listener), never only on one task."""
    document = _document()
    messages = {m.get("name"): m.get("id") for m in document.findall("bpmn:message", NS)}
    assert set(messages) == {"complaint_withdrawn", "escalation_requested", "injury_discovered"}
    assert not document.xpath("//bpmn:boundaryEvent[bpmn:messageEventDefinition]", namespaces=NS)
    catches = {c.xpath("bpmn:messageEventDefinition/@messageRef", namespaces=NS)[0]: c.get("id")
               for c in document.xpath("//bpmn:intermediateCatchEvent[bpmn:messageEventDefinition]", namespaces=NS)}
    assert catches == {messages["complaint_withdrawn"]: "Catch_ComplaintWithdrawn",
                       messages["escalation_requested"]: "Catch_EscalationRequested",
                       messages["injury_discovered"]: "Catch_InjuryDiscovered"}
    assert not document.xpath("//bpmn:subProcess", namespaces=NS)
    ends = {e.get("id") for e in document.xpath("//bpmn:endEvent[bpmn:terminateEventDefinition]", namespaces=NS)}
    assert {"End_Closed", "End_AtWish", "End_Withdrawn", "End_Signal"} <= ends


def test_expressions_fit_the_restricted_evaluator() -> None:
    """Timers name a setting or count a legal deadline; conditions are small expressions over known variables."""
    settings = _settings()
    document = _document()
    durations = {t.text.strip() for t in document.findall(".//bpmn:timerEventDefinition/bpmn:timeDuration", NS)}
    dates = {t.text.strip() for t in document.findall(".//bpmn:timerEventDefinition/bpmn:timeDate", NS)}
    assert durations <= set(settings)
    assert durations | {name for name in settings if any(name in d for d in dates)} == set(settings), "unused setting"
    for value in settings.values():
        assert _DURATION.match(value) or WORKING_DAYS.match(value), value
    for text in dates:
        assert check_expression(text) is None and text.startswith("deadline_after("), text
    sample = {"report_source": "affected", "kind": "offensive", "serious": False, "accused_id": "x",
              "signal_investigation": True, "wants_confidentiality": True, "continue_despite_confidentiality": False,
              "injured": False, "hr_sparring": False, "accused_has_other_leader": False, "absence": False,
              "acts_acknowledged_and_stopped": True, "others_affected": False, "cooperation_still_difficult": False,
              "cause": "culture", "position_stated": True, "confidentiality_explained": False, "vtc_registered": True,
              "accident_reported": True, "external_assistance": "none", "tr_amr_involved": False,
              "tr_went_further": False, "amr_went_further": False, "sanctions": "none", "mediation_wanted": False,
              "continued_after_stop": True, "continue_despite_withdrawal": False, "escalation_feedback_given": True,
              "witness_repeated": False}
    for condition in document.findall(".//bpmn:conditionExpression", NS):
        text = condition.text.strip()
        assert check_expression(text) is None, text
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
