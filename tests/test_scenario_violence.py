"""violence.bpmn through the engine, as its people would drive it: inboxes, forms, timers, notices, messages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import InvalidInput
from tests.conftest import T0
from tests.scenario import assert_rows_match_workflow, deploy_guideline, do, filled, open_specs, run_to_end

REPORT = {
    "employee_id": "ansat-akut", "reporter_id": "ansat-akut", "incident_at": "2026-11-26T07:15:00+01:00",
    "location": "Akutmodtagelsen, triage", "violence_type": "physical", "injured": False, "severity": 2,
    "witnesses_present": False, "witnesses": "", "serious": False,
    "description": "En pårørende skubbede medarbejderen ind i en dørkarm.",
}
NO_FOLLOW_UP = {"debriefing_needed": False, "psychologist_needed": False, "police_report": False,
                "vtc_registrar": "leader", "exposure_over_5_days": False}
# Yes to every duty the guideline names, so no follow-up task is needed.
ALL_DONE = {"ensure_safety": {"all_involved_cared_for": True}, "analyse_event": {"vtc_followed_up": True},
            "adjust_workplace": {"risk_assessment_updated": True, "safety_introduction_checked": True},
            "employee_accept_help": {"accepts_talk": True}, "advise_doctor": {"doctor_advised": True}}
LEADER_SIDE = {"leader", "leaders_leader", "tr", "amr"}


@pytest.fixture
def guideline(vaern):
    deploy_guideline(vaern, T0, "violence")
    return vaern


def _start(vaern, now=T0, **changes):
    return vaern.start_case("violence", "afd-akut", {**REPORT, **changes}, "ansat-akut", now)


def _notices(vaern, case_id, spec=None):
    return [(e.details["spec"], e.details["notice"], e.details["recipients"])
            for e in vaern.events(case_id) if e.action == "notice" and spec in (None, e.details["spec"])]


def _drive(vaern, case_id, now, roles, answers=None, max_steps=200):
    """Everyone in `roles` does their open tasks at once; the others never act. Timers fire as they fall due.

    Returns the moment the case closed or fell quiet (no open task of `roles`, no pending timer).
    """
    answers = answers or {}
    for _ in range(max_steps):
        if vaern.case(case_id).status == "closed":
            return now
        mine = [t for t in vaern.tasks_of_case(case_id) if t.state == "open" and t.role in roles]
        if mine:
            task = mine[0]
            person = task.assignee_id or task.candidates[0]
            vaern.complete_task(task.id, filled(vaern, task.id, **answers.get(task.spec_id, {})), person, now)
            assert_rows_match_workflow(vaern, case_id)
            continue
        timers = vaern.timers_of_case(case_id)
        if not timers:
            return now
        now = max(now, timers[0][1] + timedelta(seconds=1))
        assert vaern.fire_due_timers(now) >= 1
    raise AssertionError(f"case {case_id} still moving after {max_steps} steps")


def _follow_up_to_end(vaern, case_id, when):
    """From the analysis to the end: every answer yes, the well-being check weeks later, learning for the AMR."""
    do(vaern, "leder-akut", case_id, "analyse_event", when, vtc_followed_up=True)
    do(vaern, "leder-akut", case_id, "adjust_workplace", when, risk_assessment_updated=True,
       safety_introduction_checked=True)
    assert "wellbeing_check" not in open_specs(vaern, case_id)
    assert vaern.fire_due_timers(when + timedelta(days=28, minutes=1)) == 1
    later = when + timedelta(days=29)
    do(vaern, "leder-akut", case_id, "wellbeing_check", later)
    do(vaern, "leder-akut", case_id, "decide_learning", later, learning_into_prevention=True)
    do(vaern, "amr-akut", case_id, "amr_learning", later)
    return vaern.case(case_id)


def _opened_by(vaern, case_id, spec):
    [task] = [t for t in vaern.tasks_of_case(case_id) if t.spec_id == spec and t.state == "open"]
    return task


# ---------------------------------------------------------------- the work accident and the law's deadline

def test_an_injured_employee_with_a_police_report_and_the_accident_deadline(guideline):
    v = guideline
    case = _start(v, injured=True, severity=4, witnesses_present=True, witnesses="Karl")
    assert open_specs(v, case.id) == {"first_talk": ["leder-akut"]}
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, debriefing_needed=True, debriefing_date="2026-11-28",
       psychologist_needed=True, police_report=True, vtc_registrar="employee", exposure_over_5_days=False)
    assert open_specs(v, case.id) == {
        "employee_accept_help": ["ansat-akut"], "register_vtc_employee": ["ansat-akut"],
        "ensure_safety": ["leder-akut"], "debriefing": ["leder-akut"], "arrange_psychologist": ["leder-akut"],
        "record_absence": ["leder-akut"], "talk_witnesses": ["leder-akut"]}
    next_day = T0 + timedelta(days=1)
    do(v, "ansat-akut", case.id, "employee_accept_help", next_day, accepts_talk=True, wants_police_help=True)
    do(v, "ansat-akut", case.id, "register_vtc_employee", next_day)
    do(v, "leder-akut", case.id, "talk_witnesses", next_day, colleague_ids=["kollega-akut"])
    do(v, "kollega-akut", case.id, "colleague_account", next_day)
    do(v, "leder-akut", case.id, "record_absence", next_day, first_absence_day="2026-11-27",
       absent_beyond_injury_day=True)
    # LAW-1: 14 days from the first day of absence (27 Nov) is 11 Dec, which counts whole: the deadline
    # passes when 11 Dec ends in Danish time, 12 Dec 00:00 CET.
    assert _opened_by(v, case.id, "accident_report").due_at.isoformat() == "2026-12-11T23:00:00+00:00"

    v.fire_due_timers(datetime(2026, 12, 7, 22, 59, tzinfo=timezone.utc))
    assert _notices(v, case.id, "notify_accident_reminder") == []
    v.fire_due_timers(datetime(2026, 12, 7, 23, 0, 1, tzinfo=timezone.utc))  # day 10 has ended
    assert _notices(v, case.id, "notify_accident_reminder") == [("notify_accident_reminder", "reminder", ["leder-akut"])]
    v.fire_due_timers(datetime(2026, 12, 11, 22, 59, tzinfo=timezone.utc))
    assert _notices(v, case.id, "notify_accident_overdue") == [] and not v.case(case.id).escalated
    v.fire_due_timers(datetime(2026, 12, 11, 23, 0, 1, tzinfo=timezone.utc))
    v.fire_due_timers(datetime(2026, 12, 12, 9, 0, tzinfo=timezone.utc))
    assert _notices(v, case.id, "notify_accident_overdue") == [("notify_accident_overdue", "escalated", ["leder-akut"])]
    assert v.case(case.id).escalated
    # The escalation hands the leader's leader a task, and with it the whole case; the leader's duty stays.
    assert open_specs(v, case.id)["escalate_accident_report"] == ["hosp-leder"]
    assert v.case_access(case.id, "hosp-leder") == "full"
    late = datetime(2026, 12, 12, 9, 0, tzinfo=timezone.utc)
    [item] = [i for i in v.inbox("leder-akut", late) if i.title.startswith("Anmeld arbejdsulykke")]
    assert item.overdue and item.escalated

    do(v, "leder-akut", case.id, "accident_report", late)
    do(v, "hosp-leder", case.id, "escalate_accident_report", late)
    for spec in ("debriefing", "arrange_psychologist", "police_report_task"):
        do(v, "leder-akut", case.id, spec, late)
    do(v, "leder-akut", case.id, "ensure_safety", late, all_involved_cared_for=True)
    assert "police_help" not in open_specs(v, case.id), "the police report was agreed in the plan already"
    closed = _follow_up_to_end(v, case.id, late)
    assert closed.status == "closed"
    assert {"police_report_task", "accident_report", "advise_doctor"} - {
        t.spec_id for t in v.tasks_of_case(case.id) if t.state == "completed"} == {"advise_doctor"}


def test_without_absence_beyond_the_injury_day_the_deadline_counts_from_the_injury_day(guideline):
    v = guideline
    case = _start(v, injured=True)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    do(v, "leder-akut", case.id, "record_absence", T0, absent_beyond_injury_day=False)
    # The injury day is the incident's, 26 Nov: the 14 days run to the end of 10 Dec.
    assert _opened_by(v, case.id, "accident_report").due_at.isoformat() == "2026-12-10T23:00:00+00:00"


def test_the_deadline_ends_with_the_danish_day_in_summer_time_too(guideline):
    v = guideline
    start = datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)
    case = _start(v, start, injured=True, incident_at="2027-06-01T10:30:00+02:00")
    do(v, "leder-akut", case.id, "first_talk", start)
    do(v, "leder-akut", case.id, "plan_follow_up", start, **NO_FOLLOW_UP)
    do(v, "leder-akut", case.id, "record_absence", start + timedelta(days=1), absent_beyond_injury_day=True,
       first_absence_day="2027-06-02")
    # 2 Jun + 14 days = 16 Jun, which ends at midnight CEST (22:00 UTC).
    report = _opened_by(v, case.id, "accident_report")
    assert report.due_at.isoformat() == "2027-06-16T22:00:00+00:00"
    v.fire_due_timers(datetime(2027, 6, 16, 21, 59, tzinfo=timezone.utc))
    assert _notices(v, case.id, "notify_accident_overdue") == []
    v.fire_due_timers(datetime(2027, 6, 16, 22, 0, 1, tzinfo=timezone.utc))
    assert [n[1] for n in _notices(v, case.id, "notify_accident_overdue")] == ["escalated"]


def test_an_implausible_first_absence_day_is_refused(guideline):
    v = guideline
    case = _start(v, injured=True)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    task = _opened_by(v, case.id, "record_absence")
    now = T0 + timedelta(days=1)   # 27 Nov
    for day, message in (("2026-10-26", "kan ikke være før 26.11.2026"),   # a month before the incident
                         ("2026-11-25", "kan ikke være før 26.11.2026"),
                         ("2026-11-28", "kan ikke ligge i fremtiden"),
                         ("", "skal udfyldes ud fra dit svar på »Den udsatte er uarbejdsdygtig ud over skadesdagen«")):
        with pytest.raises(InvalidInput) as refused:
            v.complete_task(task.id, {"absent_beyond_injury_day": True, "first_absence_day": day}, "leder-akut", now)
        assert message in refused.value.errors["first_absence_day"], day
    assert open_specs(v, case.id)["record_absence"] == ["leder-akut"], "nothing changed"
    assert not v.case(case.id).escalated and _notices(v, case.id) == []
    v.complete_task(task.id, {"absent_beyond_injury_day": True, "first_absence_day": "2026-11-26"}, "leder-akut", now)
    assert "accident_report" in open_specs(v, case.id)


def test_a_late_discovered_injury_starts_the_accident_route_and_holds_the_end_until_reported(guideline):
    v = guideline
    case = _start(v)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    assert "record_absence" not in open_specs(v, case.id)
    assert "injury_discovered" in v.sendable_messages(case.id, "leder-akut", T0)
    assert "injury_discovered" not in v.sendable_messages(case.id, "ansat-akut", T0), "the case's leader registers it"
    # Reactions may come later (V-H3): a week on, the affected is off sick from the episode.
    later = T0 + timedelta(days=7)
    v.send_message(case.id, "injury_discovered", {"by": "leder-akut"}, "leder-akut", later)
    assert open_specs(v, case.id)["record_absence"] == ["leder-akut"]
    assert "injury_discovered" not in v.waiting_messages(case.id, later)
    do(v, "leder-akut", case.id, "record_absence", later, absent_beyond_injury_day=True,
       first_absence_day="2026-12-01")
    assert _opened_by(v, case.id, "accident_report").due_at.isoformat() == "2026-12-15T23:00:00+00:00"

    for spec, values in (("employee_accept_help", {"accepts_talk": True}),):
        do(v, "ansat-akut", case.id, spec, later, **values)
    do(v, "leder-akut", case.id, "register_vtc_leader", later)
    do(v, "leder-akut", case.id, "ensure_safety", later, all_involved_cared_for=True)
    after_follow_up = _follow_up_to_end(v, case.id, later)
    assert after_follow_up.status == "open", "the case waits for the accident report the law asks for"
    # By now the law's deadline has passed, so the leader's leader has a task about it too.
    assert set(open_specs(v, case.id)) == {"accident_report", "escalate_accident_report"}
    do(v, "leder-akut", case.id, "accident_report", later + timedelta(days=30))
    assert v.case(case.id).status == "closed"


# ---------------------------------------------------------------- the parties never block the leader

@pytest.mark.slow
def test_with_the_parties_silent_the_case_still_closes_and_the_leader_is_told(guideline):
    v = guideline
    case = _start(v, witnesses_present=True, witnesses="Karl")
    answers = {**ALL_DONE, "plan_follow_up": {**NO_FOLLOW_UP, "vtc_registrar": "employee"},
               "talk_witnesses": {"colleague_ids": ["kollega-akut"]}}
    _drive(v, case.id, T0, LEADER_SIDE, answers)
    assert v.case(case.id).status == "closed"
    done = {t.spec_id: t.completed_by for t in v.tasks_of_case(case.id) if t.state == "completed"}
    assert {"employee_accept_help", "register_vtc_employee", "colleague_account"}.isdisjoint(done)
    # Each silent party's task closed at its deadline; the leader was told and did what the party did not.
    assert {spec: who for spec, who in done.items()
            if spec in ("contact_employee", "register_vtc_leader", "talk_colleague")} == {
        "contact_employee": "leder-akut", "register_vtc_leader": "leder-akut", "talk_colleague": "leder-akut"}
    for party_task, reminded in (("employee_accept_help", "ansat-akut"), ("register_vtc_employee", "ansat-akut"),
                                 ("colleague_account", "kollega-akut")):
        assert _notices(v, case.id, f"notify_{party_task}_reminder") == [
            (f"notify_{party_task}_reminder", "reminder", [reminded])]
        assert _notices(v, case.id, f"notify_{party_task}_overdue") == [
            (f"notify_{party_task}_overdue", "overdue", ["leder-akut"])]
    assert not v.case(case.id).escalated


def test_a_declined_talk_and_a_wish_for_police_help_give_the_leader_tasks(guideline):
    v = guideline
    case = _start(v)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    do(v, "ansat-akut", case.id, "employee_accept_help", T0, accepts_talk=False, wants_police_help=True)
    opened = open_specs(v, case.id)
    assert opened["police_help"] == ["leder-akut"]
    do(v, "leder-akut", case.id, "police_help", T0)
    assert open_specs(v, case.id)["contact_employee"] == ["leder-akut"]


# ---------------------------------------------------------------- going up the management line (GEN-1)

def test_the_affected_asks_the_next_level_for_help_and_the_leaders_leader_gets_a_task(guideline):
    v = guideline
    case = _start(v)
    assert "escalation_requested" in v.sendable_messages(case.id, "ansat-akut", T0)
    assert v.case_access(case.id, "hosp-leder") == "none"
    v.send_message(case.id, "escalation_requested", {"by": "ansat-akut"}, "ansat-akut", T0 + timedelta(hours=2))
    opened = open_specs(v, case.id)
    assert opened["escalation_request"] == ["hosp-leder"] and opened["first_talk"] == ["leder-akut"]
    assert v.case(case.id).escalated
    assert _notices(v, case.id, "notify_escalation_requested") == [
        ("notify_escalation_requested", "escalated", ["hosp-leder"])]
    assert v.case_access(case.id, "hosp-leder") == "full", "with the task, the leader's leader sees the whole case"
    assert "escalation_requested" not in v.waiting_messages(case.id, T0 + timedelta(hours=2)), "one request at a time"
    # The next level has a clock too.
    v.fire_due_timers(T0 + timedelta(days=7))
    assert [n[1] for n in _notices(v, case.id) if n[0].startswith("notify_escalation_request_")] == [
        "reminder", "overdue"]
    do(v, "hosp-leder", case.id, "escalation_request", T0 + timedelta(days=7))
    assert "escalation_requested" in v.sendable_messages(case.id, "ansat-akut", T0 + timedelta(days=7)), \
        "after an answer the affected may ask again"


def test_a_serious_case_escalates_at_a_later_step_with_a_task_for_the_leaders_leader(guideline):
    v = guideline
    case = _start(v, serious=True, severity=5)
    do(v, "leder-akut", case.id, "first_talk_serious", T0 + timedelta(hours=1))
    assert v.timers_of_case(case.id), "the plan has its own clock"
    # Five working days from Thursday is the next Thursday; the plan is still not made.
    v.fire_due_timers(T0 + timedelta(days=7, hours=2))
    assert _notices(v, case.id) == [
        ("notify_plan_follow_up_reminder", "reminder", ["leder-akut"]),
        ("notify_plan_follow_up_escalated", "escalated", ["amr-akut", "tr-akut"])]
    opened = open_specs(v, case.id)
    assert opened["plan_follow_up"] == ["leder-akut"], "the leader's duty remains"
    assert opened["escalate_plan_follow_up"] == ["hosp-leder"]
    assert v.case(case.id).escalated and v.case_access(case.id, "hosp-leder") == "full"
    do(v, "hosp-leder", case.id, "escalate_plan_follow_up", T0 + timedelta(days=8))
    do(v, "leder-akut", case.id, "plan_follow_up", T0 + timedelta(days=8), **NO_FOLLOW_UP)
    assert "escalate_plan_follow_up" not in open_specs(v, case.id)


def test_a_case_marked_serious_midway_escalates_its_next_late_step(guideline):
    v = guideline
    case = _start(v)
    # Not serious: a late first talk tells the leader and nobody else.
    v.fire_due_timers(T0 + timedelta(days=4, hours=1))
    assert _notices(v, case.id) == [("notify_first_talk_reminder", "reminder", ["leder-akut"]),
                                    ("notify_first_talk_overdue", "overdue", ["leder-akut"])]
    assert not v.case(case.id).escalated and "escalate_first_talk" not in open_specs(v, case.id)
    now = T0 + timedelta(days=5)
    do(v, "leder-akut", case.id, "first_talk", now)
    do(v, "leder-akut", case.id, "plan_follow_up", now, **NO_FOLLOW_UP)
    v.mark_serious(case.id, 4, "leder-akut", now)
    v.fire_due_timers(now + timedelta(days=8))
    escalated = {n[0] for n in _notices(v, case.id) if n[1] == "escalated"}
    assert {"notify_ensure_safety_escalated", "notify_register_vtc_leader_escalated"} <= escalated
    assert all(n[2] == ["amr-akut", "tr-akut"] for n in _notices(v, case.id) if n[1] == "escalated")
    opened = open_specs(v, case.id)
    assert opened["escalate_ensure_safety"] == ["hosp-leder"]
    assert opened["escalate_register_vtc_leader"] == ["hosp-leder"]
    assert v.case(case.id).serious and v.case(case.id).escalated


def test_a_serious_case_with_no_action_escalates_to_the_leaders_leader_once(guideline):
    v = guideline
    case = _start(v, serious=True, severity=5)
    assert open_specs(v, case.id) == {"first_talk_serious": ["leder-akut"]}
    v.fire_due_timers(T0 + timedelta(days=1, minutes=1))
    assert _notices(v, case.id) == [("notify_first_action_reminder", "reminder", ["leder-akut"])]
    assert not v.case(case.id).escalated
    v.fire_due_timers(T0 + timedelta(days=6))
    assert not v.case(case.id).escalated  # five working days from Thursday is the next Thursday
    v.fire_due_timers(T0 + timedelta(days=7, minutes=1))
    v.fire_due_timers(T0 + timedelta(days=8))
    assert _notices(v, case.id)[1:] == [("notify_serious_escalated", "escalated", ["amr-akut", "tr-akut"])]
    assert v.case(case.id).escalated
    opened = open_specs(v, case.id)
    assert opened["escalation_leaders_leader"] == ["hosp-leder"]
    assert opened["escalation_tr"] == ["tr-akut"] and opened["escalation_amr"] == ["amr-akut"]
    assert "first_talk_serious" in opened  # the leader's duty remains
    assert sum(1 for e in v.events(case.id) if e.action == "case_escalated") == 1


def test_a_serious_case_acted_on_in_time_does_not_escalate(guideline):
    v = guideline
    case = _start(v, serious=True)
    do(v, "leder-akut", case.id, "first_talk_serious", T0 + timedelta(hours=3))
    assert not {spec for spec, _ in v.timers_of_case(case.id)} & {"timer_first_action_reminder",
                                                                   "timer_serious_escalation"}
    run_to_end(v, case.id, T0 + timedelta(hours=4), answers={**ALL_DONE, "plan_follow_up": NO_FOLLOW_UP})
    assert v.case(case.id).status == "closed"
    assert _notices(v, case.id) == [] and not v.case(case.id).escalated


# ---------------------------------------------------------------- every answer counts

def test_long_exposure_leads_to_advice_to_see_a_doctor_and_no_accident_report(guideline):
    v = guideline
    case = _start(v, injured=True, violence_type="psychological")
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **{**NO_FOLLOW_UP, "exposure_over_5_days": True})
    opened = open_specs(v, case.id)
    assert "advise_doctor" in opened and "record_absence" not in opened and "register_vtc_leader" in opened
    do(v, "leder-akut", case.id, "advise_doctor", T0, doctor_advised=False)
    assert open_specs(v, case.id)["doctor_follow_up"] == ["leder-akut"], "no advice yet: a follow-up"


def test_no_to_a_duty_the_guideline_names_gives_a_follow_up_task(guideline):
    v = guideline
    case = _start(v)
    done = run_to_end(v, case.id, T0, answers={"plan_follow_up": NO_FOLLOW_UP,
                                              "employee_accept_help": {"accepts_talk": True}})
    specs = [spec for spec, _ in done]
    # "No" to each (the default of an unticked box): those cared for, VTC, risk assessment, safety introduction.
    for answer, follow_up in (("ensure_safety", "care_for_involved"), ("analyse_event", "follow_up_vtc"),
                              ("adjust_workplace", "update_risk_assessment"),
                              ("adjust_workplace", "check_safety_introduction")):
        assert specs.index(answer) < specs.index(follow_up)
    assert v.case(case.id).status == "closed"


def test_a_plain_case_goes_from_report_to_closed(guideline):
    v = guideline
    case = _start(v)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    do(v, "ansat-akut", case.id, "employee_accept_help", T0, accepts_talk=True)
    do(v, "leder-akut", case.id, "register_vtc_leader", T0)
    do(v, "leder-akut", case.id, "ensure_safety", T0, all_involved_cared_for=True)
    assert v.waiting_messages(case.id, T0) == {"escalation_requested", "injury_discovered"}
    closed = _follow_up_to_end(v, case.id, T0)
    assert closed.status == "closed" and not closed.escalated
    assert v.waiting_messages(case.id, T0 + timedelta(days=30)) == set()


def test_several_witnesses_each_share_their_account_on_their_own_and_the_silent_one_is_reminded_once(guideline):
    v = guideline
    case = _start(v, witnesses_present=True, witnesses="Karl og Tina")
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    do(v, "leder-akut", case.id, "talk_witnesses", T0, colleague_ids=["kollega-akut", "tr-akut"])
    accounts = {t.candidates: t for t in v.tasks_of_case(case.id) if t.spec_id == "colleague_account"}
    assert set(accounts) == {("kollega-akut",), ("tr-akut",)}, "one task per witness, each for that witness alone"
    # Karl needs to talk; Tina says nothing. Karl's answer brings a talk for him alone.
    do(v, "kollega-akut", case.id, "colleague_account", T0, colleague_needs_talk=True)
    [talk] = [t for t in v.tasks_of_case(case.id) if t.spec_id == "talk_colleague"]
    assert talk.candidates == ("leder-akut",)
    v.fire_due_timers(T0 + timedelta(days=10))
    assert _notices(v, case.id, "notify_colleague_account_reminder") == [
        ("notify_colleague_account_reminder", "reminder", ["tr-akut"])], "only the late witness is reminded, once"
    assert _notices(v, case.id, "notify_colleague_account_overdue") == [
        ("notify_colleague_account_overdue", "overdue", ["leder-akut"])]
    talks = [t for t in v.tasks_of_case(case.id) if t.spec_id == "talk_colleague" and t.state == "open"]
    assert len(talks) == 2, "the leader talks with the witness who asked and with the one who never answered"


def test_a_witness_list_naming_no_one_is_refused(guideline):
    v = guideline
    case = _start(v, witnesses_present=True)
    do(v, "leder-akut", case.id, "first_talk", T0)
    do(v, "leder-akut", case.id, "plan_follow_up", T0, **NO_FOLLOW_UP)
    [task] = [t for t in v.tasks_of_case(case.id) if t.spec_id == "talk_witnesses"]
    with pytest.raises(InvalidInput) as refused:
        v.complete_task(task.id, {"colleague_ids": ["kollega-akut", "nobody-here"]}, "leder-akut", T0)
    assert "nobody-here" in refused.value.errors["colleague_ids"]
    with pytest.raises(InvalidInput):
        v.complete_task(task.id, {"colleague_ids": []}, "leder-akut", T0)
