"""harassment.bpmn through the engine: the guideline's routes for offensive acts between employees."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0
from tests.scenario import deploy_guideline, do, open_specs, run_to_end

REPORT = {"report_source": "affected", "kind": "offensive", "serious": False, "employee_id": "ansat-akut",
          "reporter_id": "ansat-akut", "accused_id": "kollega-akut",
          "description": "Gentagne nedsættende bemærkninger på morgenmødet."}


@pytest.fixture
def guideline(vaern):
    deploy_guideline(vaern, T0, "harassment")
    return vaern


def _start(vaern, **changes):
    data = {**REPORT, **changes}
    return vaern.start_case("harassment", "afd-akut", {k: v for k, v in data.items() if v is not None},
                            data.get("reporter_id") or "ansat-akut", T0)


def _specs(done):
    return [spec for spec, _ in done]


def _who(done, spec):
    return [person for s, person in done if s == spec]


def test_a_confidential_case_ends_at_the_affecteds_wish(guideline):
    case = _start(guideline)
    done = run_to_end(guideline, case.id, T0, {
        "Task_Conversation": {"wants_confidentiality": True},
        "Task_JudgeConfidentiality": {"continue_despite_confidentiality": False}})
    assert _specs(done) == ["Task_Conversation", "Task_JudgeConfidentiality", "Task_CloseAtWish"]
    closed = guideline.case(case.id)
    assert closed.status == "closed" and closed.data["wants_confidentiality"] is True
    assert guideline.timers_of_case(case.id) == []


def test_a_confidential_case_the_leader_takes_on_despite_the_wish(guideline):
    case = _start(guideline)
    done = run_to_end(guideline, case.id, T0, {
        "Task_Conversation": {"wants_confidentiality": True},
        "Task_JudgeConfidentiality": {"continue_despite_confidentiality": True},
        "Task_Assess": {"cause": "individual"}})
    specs = _specs(done)
    assert {"Task_Register", "Task_Assess", "Task_Investigate", "Task_HearingAccused", "Task_HearingAffected",
            "Task_Plan", "Task_FollowUp", "Task_Learning"} <= set(specs)
    assert "Task_CloseAtWish" not in specs
    assert _who(done, "Task_HearingAccused") == ["kollega-akut"]
    assert _who(done, "Task_HearingAffected") == ["ansat-akut"]
    assert guideline.case(case.id).status == "closed"


def test_a_bullying_case_gets_external_assistance(guideline):
    case = _start(guideline, kind="bullying")
    done = run_to_end(guideline, case.id, T0, {"Task_Assess": {"cause": "individual", "acts_acknowledged_and_stopped": True}})
    specs = _specs(done)
    assert "Task_ExternalAssistance" in specs and "Task_Investigate" in specs  # bullying is always investigated
    assert "Task_StatusPower" not in specs and guideline.case(case.id).status == "closed"


def test_sexual_harassment_by_the_leader_goes_to_the_leaders_leader(guideline):
    case = _start(guideline, kind="sexual_harassment", accused_id="leder-akut")
    assert open_specs(guideline, case.id) == {"Task_Conversation": ["hosp-leder"]}
    assert [i for i in guideline.inbox("leder-akut", T0)] == []
    done = run_to_end(guideline, case.id, T0, {
        "Task_Register": {"injured": True, "absence": True},
        "Task_Assess": {"cause": "individual"}})
    specs = _specs(done)
    leader_tasks = [person for spec, person in done if spec not in (
        "Task_HearingAccused", "Task_HearingAffected", "Task_AfterCaseTalk", "Task_SuperiorInvolved")]
    assert set(leader_tasks) == {"hosp-leder"}, "the accused leader never gets a leader task"
    assert _who(done, "Task_HearingAccused") == ["leder-akut"]
    assert _who(done, "Task_SuperiorInvolved") == ["direktoer"]
    assert {"Task_StatusPower", "Task_AccidentReport", "Task_ReturnSupport"} <= set(specs)
    assert guideline.case(case.id).status == "closed"


def test_a_serious_case_escalates_to_the_leaders_leader_with_tr_and_amr(guideline):
    case = _start(guideline, serious=True)
    assert list(open_specs(guideline, case.id)) == ["Task_ConversationSerious"]
    guideline.fire_due_timers(T0 + timedelta(days=4, minutes=1))  # two working days: Thursday -> Monday
    assert not guideline.case(case.id).escalated
    guideline.fire_due_timers(T0 + timedelta(days=6))
    assert not guideline.case(case.id).escalated
    guideline.fire_due_timers(T0 + timedelta(days=7, minutes=1))  # five working days: the next Thursday
    guideline.fire_due_timers(T0 + timedelta(days=8))
    opened = open_specs(guideline, case.id)
    assert opened["Task_SeriousEscalation"] == ["hosp-leder"]
    assert opened["Task_TrFollowUp"] == ["tr-akut"] and opened["Task_AmrFollowUp"] == ["amr-akut"]
    notices = [(e.details["notice"], e.details["recipients"]) for e in guideline.events(case.id) if e.action == "notice"]
    assert notices[0] == ("reminder", ["leder-akut"]) and notices[1][0] == "escalated"
    assert sum(1 for e in guideline.events(case.id) if e.action == "case_escalated") == 1


def test_a_withdrawn_complaint_ends_the_case(guideline):
    case = _start(guideline)
    guideline.send_message(case.id, "complaint_withdrawn", {"reason": "Vi har talt sammen"}, "ansat-akut", T0)
    done = run_to_end(guideline, case.id, T0)
    assert _specs(done) == ["Task_RecordWithdrawal"]
    assert guideline.case(case.id).status == "closed"


def test_the_affected_can_ask_the_next_management_level_when_nothing_happens(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0)
    guideline.send_message(case.id, "escalation_requested", {"by": "ansat-akut"}, "ansat-akut", T0 + timedelta(days=20))
    assert open_specs(guideline, case.id)["Task_EscalationRequest"] == ["hosp-leder"]
    done = run_to_end(guideline, case.id, T0 + timedelta(days=21), {"Task_Assess": {"cause": "individual"}})
    assert "Task_EscalationRequest" in _specs(done) and guideline.case(case.id).status == "closed"


@pytest.mark.parametrize("source", ["second_hand", "anonymous_survey"])
def test_a_second_hand_or_anonymous_signal_takes_its_own_path(guideline, source):
    case = _start(guideline, report_source=source, employee_id=None, accused_id=None)
    done = run_to_end(guideline, case.id, T0, {"Task_ConsiderInvestigation": {"signal_investigation": True}})
    specs = _specs(done)
    assert "Task_Conversation" not in specs and "Task_PreventionDialogue" in specs
    assert ("Task_Messengers" in specs) == (source == "second_hand")
    assert "Task_SignalInvestigation" in specs and guideline.case(case.id).status == "closed"


def test_an_unknown_person_named_in_a_form_is_refused_and_changes_nothing(guideline):
    from engine import InvalidInput

    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0)
    do(guideline, "leder-akut", case.id, "Task_Register", T0)
    [item] = [i for i in guideline.inbox("leder-akut", T0) if guideline.task(i.task_id).spec_id == "Task_Assess"]
    version = guideline.case(case.id).version
    with pytest.raises(InvalidInput) as caught:
        do(guideline, "leder-akut", case.id, "Task_Assess", T0, cause="individual", accused_has_other_leader=True,
           other_personnel_leader_id="ghost")
    assert "other_personnel_leader_id" in caught.value.errors
    assert guideline.case(case.id).version == version and guideline.task(item.task_id).state == "open"
