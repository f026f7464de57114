"""harassment.bpmn through the engine: the guideline's routes for offensive acts between employees,
and the case reaching a just end when people do not act (issue 13)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine import InvalidInput
from tests.conftest import T0
from tests.scenario import deploy_guideline, do, filled, open_specs, open_task, run_to_end

REPORT = {"report_source": "affected", "kind": "offensive", "serious": False, "employee_id": "ansat-akut",
          "reporter_id": "ansat-akut", "accused_id": "kollega-akut",
          "description": "Gentagne nedsættende bemærkninger på morgenmødet."}
PARTY_ROLES = {"employee", "accused", "reporter", "colleague"}
HR = {"leader": "leder-akut", "hr": "hr-hosp"}


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


def _notices(vaern, case_id):
    return [(e.details["spec"], e.details["notice"], sorted(e.details["recipients"]))
            for e in vaern.events(case_id) if e.action == "notice"]


def _drive(vaern, case_id, now, answers=None, acts=lambda task: True, until=lambda: False, max_steps=120):
    """Complete the open tasks of those who act (with answers per element), travelling to the next timer
    whenever nobody who acts has anything open, until the case has no timer left (or `until()` holds).
    Returns what was done and the time it ended at."""
    answers = answers or {}
    done = []
    for _ in range(max_steps):
        if until():
            return done, now
        open_now = [t for t in vaern.tasks_of_case(case_id) if t.state == "open" and acts(t)]
        if not open_now:
            timers = vaern.timers_of_case(case_id)
            if not timers or vaern.case(case_id).status == "closed":
                return done, now
            now = max(now, timers[0][1] + timedelta(seconds=1))
            vaern.fire_due_timers(now)
            continue
        task = open_now[0]
        person = task.assignee_id or task.candidates[0]
        vaern.complete_task(task.id, filled(vaern, task.id, **answers.get(task.spec_id, {})), person, now)
        done.append((task.spec_id, person))
    raise AssertionError(f"case {case_id} did not come to rest in {max_steps} steps")


# ---------------------------------------------------------------- the routes of the guideline

def test_a_confidential_case_ends_at_the_affecteds_wish(guideline):
    case = _start(guideline)
    done = run_to_end(guideline, case.id, T0, {
        "Task_Conversation": {"wants_confidentiality": True},
        "Task_JudgeConfidentiality": {"continue_despite_confidentiality": False}})
    assert _specs(done) == ["Task_Conversation", "Task_JudgeConfidentiality", "Task_CloseAtWish"]
    closed = guideline.case(case.id)
    assert closed.status == "closed" and closed.data["wants_confidentiality"] is True
    assert guideline.timers_of_case(case.id) == []


@pytest.mark.slow
def test_a_confidential_case_the_leader_takes_on_despite_the_wish(guideline):
    case = _start(guideline)
    done = run_to_end(guideline, case.id, T0, {
        "Task_Conversation": {"wants_confidentiality": True, "position_stated": True, "confidentiality_explained": True},
        "Task_JudgeConfidentiality": {"continue_despite_confidentiality": True},
        "Task_Register": {"vtc_registered": True},
        "Task_Assess": {"cause": "individual"}})
    specs = _specs(done)
    assert {"Task_Register", "Task_Assess", "Task_Investigate", "Task_HearingAccused", "Task_HearingAffected",
            "Task_Plan", "Task_FollowUp", "Task_Learning", "Task_AfterCaseTalk"} <= set(specs)
    assert not {"Task_CloseAtWish", "Task_ConversationFollowUp", "Task_VtcFollowUp"} & set(specs)
    assert _who(done, "Task_HearingAccused") == ["kollega-akut"]
    assert _who(done, "Task_HearingAffected") == ["ansat-akut"]
    assert guideline.case(case.id).status == "closed"


def test_a_bullying_case_that_went_on_after_stop_is_investigated_with_koncern_hr(guideline):
    case = _start(guideline, kind="bullying")
    done = run_to_end(guideline, case.id, T0, {
        "Task_Assess": {"cause": "individual", "acts_acknowledged_and_stopped": True},
        "Task_ExternalAssistance": {"continued_after_stop": True, "external_assistance": "koncern_hr"}})
    specs = _specs(done)
    assert "Task_ExternalAssistance" in specs and "Task_Investigate" in specs
    assert _who(done, "Task_KoncernHrAssistance") == ["koncern-hr"]
    assert "Task_StatusPower" not in specs and guideline.case(case.id).status == "closed"


def test_sexual_harassment_by_the_leader_goes_to_the_leaders_leader(guideline):
    case = _start(guideline, kind="sexual_harassment", accused_id="leder-akut")
    assert open_specs(guideline, case.id) == {"Task_Conversation": ["hosp-leder"]}
    assert [i for i in guideline.inbox("leder-akut", T0)] == []
    done = run_to_end(guideline, case.id, T0, {
        "Task_Register": {"injured": True, "injury_date": "2026-11-25", "absence": True,
                          "first_absence_day": "2026-11-26"},
        "Task_Assess": {"cause": "individual"},
        "Task_StatusPower": {"tr_amr_involved": True}})
    specs = _specs(done)
    leader_tasks = [person for spec, person in done if spec not in (
        "Task_HearingAccused", "Task_HearingAffected", "Task_AfterCaseTalk", "Task_SuperiorInvolved",
        "Task_TrFollowUp", "Task_AmrFollowUp")]
    assert set(leader_tasks) == {"hosp-leder"}, "the accused leader never gets a leader task"
    assert _who(done, "Task_HearingAccused") == ["leder-akut"]
    assert _who(done, "Task_SuperiorInvolved") == ["direktoer"]
    assert _who(done, "Task_TrFollowUp") == ["tr-akut"] and _who(done, "Task_AmrFollowUp") == ["amr-akut"]
    assert {"Task_StatusPower", "Task_AccidentReport", "Task_ReturnSupport"} <= set(specs)
    assert guideline.case(case.id).status == "closed"


@pytest.mark.parametrize("source", ["second_hand", "anonymous_survey"])
def test_a_second_hand_or_anonymous_signal_takes_its_own_path(guideline, source):
    case = _start(guideline, report_source=source, employee_id=None, accused_id=None)
    done = run_to_end(guideline, case.id, T0, {"Task_ConsiderInvestigation": {"signal_investigation": True}})
    specs = _specs(done)
    assert "Task_Conversation" not in specs and "Task_PreventionDialogue" in specs
    assert ("Task_Messengers" in specs) == (source == "second_hand")
    assert "Task_SignalInvestigation" in specs and guideline.case(case.id).status == "closed"


# ---------------------------------------------------------------- the affected's own ways, from the case

def test_a_witness_reported_case_escalated_by_the_affected(guideline):
    case = _start(guideline, report_source="witness", reporter_id="kollega-akut", accused_id=None)
    opened = open_specs(guideline, case.id)
    assert opened == {"Task_Conversation": ["leder-akut"], "Task_WitnessAccount": ["kollega-akut"]}
    assert guideline.case_access(case.id, "hosp-leder") == "none"
    guideline.send_message(case.id, "escalation_requested", {"reason": "Der sker ikke noget"}, "ansat-akut", T0)
    escalation = open_task(guideline, "hosp-leder", case.id, "Task_EscalationRequest")
    assert guideline.case_access(case.id, "hosp-leder") == "full", "the leader's leader has a task, so the whole case"
    assert guideline.case(case.id).escalated
    do(guideline, "hosp-leder", case.id, "Task_EscalationRequest", T0, escalation_feedback_given=True)
    assert escalation.task_id not in {t.id for t in guideline.tasks_of_case(case.id) if t.state == "open"}
    do(guideline, "kollega-akut", case.id, "Task_WitnessAccount", T0, witness_repeated=True)
    assert open_specs(guideline, case.id)["Task_WitnessFollowUp"] == ["leder-akut"], "seen again: talk about the culture"
    done, _ = _drive(guideline, case.id, T0, {"Task_Assess": {"cause": "individual"}})
    assert {"Task_WitnessFollowUp", "Task_HearingAffected", "Task_AfterCaseTalk"} <= set(_specs(done))
    assert guideline.case(case.id).status == "closed"


def test_a_complaint_withdrawn_during_the_case_ends_it_unless_the_leader_goes_on(guideline):
    ended = _start(guideline)
    do(guideline, "leder-akut", ended.id, "Task_Conversation", T0, position_stated=True)
    guideline.send_message(ended.id, "complaint_withdrawn", {"reason": "Vi har talt sammen"}, "ansat-akut", T0)
    assert set(open_specs(guideline, ended.id)) == {"Task_Register", "Task_RecordWithdrawal"}
    do(guideline, "leder-akut", ended.id, "Task_RecordWithdrawal", T0, withdrawal_options_informed=True)
    assert guideline.case(ended.id).status == "closed" and guideline.timers_of_case(ended.id) == []

    goes_on = _start(guideline)
    guideline.send_message(goes_on.id, "complaint_withdrawn", {"reason": "Tør ikke"}, "ansat-akut", T0)
    do(guideline, "leder-akut", goes_on.id, "Task_RecordWithdrawal", T0, continue_despite_withdrawal=True)
    assert guideline.case(goes_on.id).status == "open" and "Task_Conversation" in open_specs(guideline, goes_on.id)
    with pytest.raises(InvalidInput):  # one withdrawal: the case no longer waits for another
        guideline.send_message(goes_on.id, "complaint_withdrawn", {}, "ansat-akut", T0)


def test_the_affected_can_ask_the_next_management_level_when_nothing_happens(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0)
    guideline.send_message(case.id, "escalation_requested", {"by": "ansat-akut"}, "ansat-akut", T0 + timedelta(days=20))
    assert open_specs(guideline, case.id)["Task_EscalationRequest"] == ["hosp-leder"]
    done = run_to_end(guideline, case.id, T0 + timedelta(days=21), {"Task_Assess": {"cause": "individual"}})
    assert {"Task_EscalationRequest", "Task_EscalationFeedback"} <= set(_specs(done))
    assert guideline.case(case.id).status == "closed"


# ---------------------------------------------------------------- a hearing before a sanction

def test_a_sanction_is_heard_before_it_is_decided(guideline):
    case = _start(guideline)
    _drive(guideline, case.id, T0, {"Task_PrepareHearing": {"hearing_material": "Tre episoder på morgenmøder"},
                                    "Task_Assess": {"cause": "individual"}},
           acts=lambda t: t.spec_id not in ("Task_HearingAccused", "Task_Plan"),
           until=lambda: "Task_HearingAccused" in open_specs(guideline, case.id) and "Task_Plan" not in open_specs(
               guideline, case.id) and "Task_HearingAffected" not in open_specs(guideline, case.id))
    hearing = open_task(guideline, "kollega-akut", case.id, "Task_HearingAccused")
    material = dict(guideline.task_detail(hearing.task_id).material)
    assert material == {"description": REPORT["description"], "hearing_material": "Tre episoder på morgenmøder"}
    assert {f.id for f in guideline.task_detail(hearing.task_id).fields} >= {"accused_support_wanted", "accused_support_person"}
    do(guideline, "kollega-akut", case.id, "Task_HearingAccused", T0, accused_statement="Det var for sjov")
    do(guideline, "leder-akut", case.id, "Task_Plan", T0, sanctions="proposed", proposed_sanction="Advarsel",
       sanction_grounds="Gentagne nedsættende bemærkninger")
    opened = open_specs(guideline, case.id)
    assert opened["Task_SanctionHearing"] == ["kollega-akut"] and "Task_SanctionDecision" not in opened
    heard = open_task(guideline, "kollega-akut", case.id, "Task_SanctionHearing")
    assert dict(guideline.task_detail(heard.task_id).material)["proposed_sanction"] == "Advarsel"
    do(guideline, "kollega-akut", case.id, "Task_SanctionHearing", T0, sanction_statement="Jeg beklager",
       sanction_support_wanted=True, sanction_support_person="Min TR")
    decided = do(guideline, "leder-akut", case.id, "Task_SanctionDecision", T0, sanction_decision="changed")
    assert decided.status == "open" and "Task_CommunicateOthers" not in open_specs(guideline, case.id)
    events = [(e.action, e.details.get("spec")) for e in guideline.events(case.id) if e.action == "task_completed"]
    assert events.index(("task_completed", "Task_SanctionHearing")) < events.index(("task_completed", "Task_SanctionDecision"))


def test_nobody_is_assigned_nothing_when_another_personnel_leader_is_involved(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0, position_stated=True)
    do(guideline, "leder-akut", case.id, "Task_Register", T0, vtc_registered=True)
    with pytest.raises(InvalidInput) as refused:
        do(guideline, "leder-akut", case.id, "Task_Assess", T0, cause="individual", accused_has_other_leader=True)
    assert refused.value.errors["other_personnel_leader_id"].startswith("skal udfyldes")
    do(guideline, "leder-akut", case.id, "Task_Assess", T0, cause="individual", accused_has_other_leader=True,
       other_personnel_leader_id="leder-psyk")
    do(guideline, "leder-akut", case.id, "Task_Support", T0)
    assert open_specs(guideline, case.id)["Task_OtherLeader"] == ["leder-psyk"]
    assert "task_unassigned" not in {e.action for e in guideline.events(case.id)}


def test_an_unknown_person_named_in_a_form_is_refused_and_changes_nothing(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0)
    do(guideline, "leder-akut", case.id, "Task_ConversationFollowUp", T0)
    do(guideline, "leder-akut", case.id, "Task_Register", T0)
    [item] = [i for i in guideline.inbox("leder-akut", T0) if guideline.task(i.task_id).spec_id == "Task_Assess"]
    version = guideline.case(case.id).version
    with pytest.raises(InvalidInput) as caught:
        do(guideline, "leder-akut", case.id, "Task_Assess", T0, cause="individual", accused_has_other_leader=True,
           other_personnel_leader_id="ghost")
    assert "other_personnel_leader_id" in caught.value.errors
    assert guideline.case(case.id).version == version and guideline.task(item.task_id).state == "open"


# ---------------------------------------------------------------- the law's deadline for the accident report

def _registered_with_absence(vaern, first_absence_day="2026-11-24", injury_date="2026-11-20"):
    case = _start(vaern)
    do(vaern, "leder-akut", case.id, "Task_Conversation", T0, position_stated=True)
    do(vaern, "leder-akut", case.id, "Task_Register", T0, vtc_registered=True, injured=True, injury_date=injury_date,
       absence=True, first_absence_day=first_absence_day)
    return case


@pytest.mark.slow
def test_the_accident_report_is_due_when_the_14th_day_after_the_first_absence_day_has_ended_in_danish_time(guideline):
    case = _registered_with_absence(guideline)
    report = open_task(guideline, "leder-akut", case.id, "Task_AccidentReport")
    # 24 November + 14 days: 8 December is the last valid day; it ends at midnight in Copenhagen (23:00 UTC)
    assert guideline.task(report.task_id).due_at == datetime(2026, 12, 8, 23, 0, tzinfo=timezone.utc)
    reminder = datetime(2026, 12, 4, 23, 0, tzinfo=timezone.utc)
    guideline.fire_due_timers(reminder - timedelta(minutes=1))
    assert not [n for n in _notices(guideline, case.id) if n[0].startswith("Throw_Accident")]
    guideline.fire_due_timers(reminder + timedelta(minutes=1))
    assert ("Throw_AccidentReminder", "reminder", ["leder-akut"]) in _notices(guideline, case.id)
    deadline = datetime(2026, 12, 8, 23, 0, tzinfo=timezone.utc)
    guideline.fire_due_timers(deadline - timedelta(minutes=1))
    assert "Throw_AccidentOverdue" not in {n[0] for n in _notices(guideline, case.id)}, "8 December is still valid"
    guideline.fire_due_timers(deadline + timedelta(minutes=1))
    assert ("Throw_AccidentOverdue", "overdue", ["hr-hosp", "leder-akut"]) in _notices(guideline, case.id)
    assert not guideline.case(case.id).escalated, "not serious: told, not escalated"
    assert guideline.task(report.task_id).state == "open"


def test_without_absence_the_deadline_counts_from_the_day_of_injury(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0, position_stated=True)
    do(guideline, "leder-akut", case.id, "Task_Register", T0, vtc_registered=True, injured=True, injury_date="2026-11-20")
    report = open_task(guideline, "leder-akut", case.id, "Task_AccidentReport")
    assert guideline.task(report.task_id).due_at == datetime(2026, 12, 4, 23, 0, tzinfo=timezone.utc)


def test_an_implausible_first_absence_day_is_refused(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0, position_stated=True)
    version = guideline.case(case.id).version
    refused = {}
    for name, first_day in {"before the injury": "2026-10-20", "in the future": "2026-11-27", "missing": None}.items():
        with pytest.raises(InvalidInput) as caught:
            do(guideline, "leder-akut", case.id, "Task_Register", T0, injured=True, injury_date="2026-11-20",
               absence=True, **({"first_absence_day": first_day} if first_day else {}))
        refused[name] = caught.value.errors["first_absence_day"]
    assert refused["before the injury"].startswith("kan ikke være før 20.11.2026 (Dato for skaden)")
    assert refused["in the future"].startswith("kan ikke ligge i fremtiden")
    assert refused["missing"].startswith("skal udfyldes")
    assert guideline.case(case.id).version == version
    assert "Task_AccidentReport" not in open_specs(guideline, case.id)


def test_an_injury_found_out_later_starts_the_accident_report_then(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0, position_stated=True)
    do(guideline, "leder-akut", case.id, "Task_Register", T0, vtc_registered=True, injured=False)
    assert "Task_AccidentReport" not in open_specs(guideline, case.id)
    later = T0 + timedelta(days=10)
    guideline.send_message(case.id, "injury_discovered", {"note": "Sygemeldt efter episoden"}, "leder-akut", later)
    do(guideline, "leder-akut", case.id, "Task_InjuryDiscovered", later, injury_date="2026-11-26", absence=True,
       first_absence_day="2026-12-01", injury_note="Sygemeldt med stress")
    report = open_task(guideline, "leder-akut", case.id, "Task_AccidentReport", later)
    assert guideline.task(report.task_id).due_at == datetime(2026, 12, 15, 23, 0, tzinfo=timezone.utc)
    do(guideline, "leder-akut", case.id, "Task_AccidentReport", later, accident_reported=False)
    assert "Task_AccidentFollowUp" in open_specs(guideline, case.id), "no report: the leader follows up"
    assert "injury_discovered" in guideline.waiting_messages(case.id, later), "another can be registered"


# ---------------------------------------------------------------- nobody silent holds the case

def test_the_parties_silent_and_the_case_still_closes(guideline):
    """The witness, the accused and the affected never act: their tasks expire into the leader's decisions."""
    case = _start(guideline, report_source="witness", reporter_id="kollega-akut", accused_id="leder-psyk",
                  employee_id="ansat-akut")
    done, now = _drive(guideline, case.id, T0, {"Task_Plan": {"sanctions": "proposed", "proposed_sanction": "Påtale",
                                                              "sanction_grounds": "Begrundelse"}},
                       acts=lambda t: t.role not in PARTY_ROLES)
    specs = _specs(done)
    assert guideline.case(case.id).status == "closed"
    assert {"Task_WitnessSilent", "Task_AccusedNotHeard", "Task_AffectedNotHeard", "Task_SanctionDecision",
            "Task_AfterCaseTalkMissed"} <= set(specs)
    expired = {n[0] for n in _notices(guideline, case.id) if n[1] == "overdue" and n[2] == ["leder-akut"]}
    assert {"Throw_WitnessAccountExpired", "Throw_HearingAccusedExpired", "Throw_HearingAffectedExpired",
            "Throw_SanctionHearingExpired", "Throw_AfterCaseTalkExpired"} <= expired
    reminded = {n[0] for n in _notices(guideline, case.id) if n[1] == "reminder"}
    assert {"Throw_WitnessAccountReminder", "Throw_HearingAccusedReminder", "Throw_AfterCaseTalkReminder"} <= reminded
    assert "task_unassigned" not in {e.action for e in guideline.events(case.id)}


# ---------------------------------------------------------------- serious cases are chased at every step

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
    notices = [(n[1], n[2]) for n in _notices(guideline, case.id)]
    assert notices[0] == ("reminder", ["leder-akut"]) and notices[1][0] == "escalated"
    assert sum(1 for e in guideline.events(case.id) if e.action == "case_escalated") == 1


def test_a_case_marked_serious_midway_escalates_every_late_step_with_a_task_for_the_leaders_leader(guideline):
    case = _start(guideline)
    do(guideline, "leder-akut", case.id, "Task_Conversation", T0, position_stated=True)
    do(guideline, "leder-akut", case.id, "Task_Register", T0, vtc_registered=False)
    assert {"Task_Assess", "Task_VtcFollowUp"} <= set(open_specs(guideline, case.id))
    guideline.mark_serious(case.id, 4, "leder-akut", T0 + timedelta(hours=1))
    assert guideline.case_access(case.id, "hosp-leder") == "none"
    guideline.fire_due_timers(T0 + timedelta(days=15))
    opened = open_specs(guideline, case.id)
    assert opened["Task_AssessEscalation"] == ["hosp-leder"] and opened["Task_VtcFollowUpEscalation"] == ["hosp-leder"]
    escalated = [n for n in _notices(guideline, case.id) if n[1] == "escalated"]
    assert {n[0] for n in escalated} == {"Throw_AssessEscalated", "Throw_VtcFollowUpEscalated"}
    assert all(n[2] == ["amr-akut", "tr-akut"] for n in escalated)
    assert not [n for n in _notices(guideline, case.id) if n[1] == "overdue"], "serious: escalated, not only overdue"
    assert guideline.case(case.id).escalated and guideline.case_access(case.id, "hosp-leder") == "full"
    do(guideline, "hosp-leder", case.id, "Task_AssessEscalation", T0 + timedelta(days=15))


def test_a_case_not_serious_tells_the_leader_when_a_step_is_late_and_never_escalates(guideline):
    case = _start(guideline)
    guideline.fire_due_timers(T0 + timedelta(days=60))
    assert list(open_specs(guideline, case.id)) == ["Task_Conversation"]
    assert [(n[0], n[1]) for n in _notices(guideline, case.id)] == [
        ("Throw_ConversationReminder", "reminder"), ("Throw_ConversationOverdue", "overdue")]
    assert not guideline.case(case.id).escalated
