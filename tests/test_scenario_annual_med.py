"""The annual MED round through the engine: two HMUs, four LMUs, real diagram, real database, a fake clock.

Everyone acts and the round closes; one LMU never answers and is reminded, escalated to its HMU (who gets a
task), then passed over, and the round goes on and closes with the HMU seeing which LMU did not answer; an
HMU that gives a last deadline or passes over at once; nobody acts, and every step still has a clock.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.cases import committees
from tests.scenario import assert_rows_match_workflow, deploy_guideline, do, open_specs

ORG = Path(__file__).resolve().parent / "orgs" / "two_areas.yaml"
START = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
LMUS = {"a1": "lmu-a1", "a2": "lmu-a2", "b1": "lmu-b1", "b2": "lmu-b2"}
HMUS = {"hosp-a": "hmu-a", "hosp-b": "hmu-b"}
# The diagram's own defaults (setting.*), as days from when each clock starts.
LMU_REMINDER, LMU_DEADLINE = 76, 90
HMU_REMINDER, HMU_DEADLINE = 46, 60
RMU_REMINDER, RMU_DEADLINE = 46, 60
FOLLOWUP_REMINDER, FOLLOWUP_DEADLINE, EXTENSION = 14, 21, 21
PLAN_DEADLINE = 30


def on(now: datetime) -> str:
    """A date field's answer: the day the person answers."""
    return now.date().isoformat()


def lmu_answers(now: datetime, **changed) -> dict:
    """An LMU that has done every duty the guideline names."""
    answers = {
        "lmu_discussion_date": on(now), "lmu_work_environment_discussion_held": True, "lmu_statistics_reviewed": True,
        "lmu_initiatives_planned": "Dialogmøde om omgangstone", "lmu_initiatives_started": "ingen",
        "lmu_amg_tr_involved": True, "lmu_local_procedures": "current", "lmu_responsibilities_defined": True,
        "lmu_behaviour_expectations_defined": True, "lmu_employees_informed": True,
        "lmu_employees_in_prevention_dialogue": True, "lmu_last_apv_year": 2025, "lmu_last_wellbeing_survey_year": 2026,
        "lmu_feedback_to_hmu": "Procedurerne holdes ved lige",
        **{f"vp{n}_{rest}": "yes" for n, rest in enumerate(
            ("local_instructions", "risk_assessment", "systematic_registration", "known_procedures",
             "competences_training", "premises", "vulnerable_staff"), start=1)},
        **{key: "yes" for key in ("kp1_unacceptable_and_policy_known", "kp2_all_forms_in_focus",
                                  "kp3_tone_culture_dialogue", "kp4_early_conflict_handling", "kp5_apv_followed_up",
                                  "kp6_tule_followed_up")},
    }
    return {**answers, **changed}


def hmu_answers(now: datetime, **changed) -> dict:
    """An HMU that has done its duties and decided on no new initiatives."""
    return {"hmu_discussion_date": on(now), "hmu_lmu_feedback_reviewed": True, "hmu_statistics_reviewed": True,
            "hmu_initiatives_discussed": "Kursus i konflikthåndtering", "hmu_area_initiatives": "none",
            "hmu_evaluation": "Dialogmøderne virkede", "hmu_evaluation_agreed": True,
            "hmu_feedback_to_rmu": "Området holder kursen", **changed}


def rmu_answers(now: datetime, revise: bool = False, **changed) -> dict:
    """An RMU that has done its duties; `revise` says whether the policy is to be revised this year."""
    return {"rmu_discussion_date": on(now), "rmu_hmu_feedback_reviewed": True, "rmu_statistics_reviewed": True,
            "rmu_initiatives_discussed": "Tværgående kursus", "rmu_policy_assessment": "Politikken er hjælpsom",
            "rmu_last_policy_revision": "2025-05-01", "policy_revision_needed": revise, **changed}


def plan_answers(prefix: str, now: datetime) -> dict:
    """A committee's action plan for the duties it answered no to."""
    return {f"{prefix}_plan": "Sagsstatistikken gennemgås på næste møde", f"{prefix}_plan_owner": "Formanden",
            f"{prefix}_plan_done_by": (now + 30 * DAY).date().isoformat()}


@pytest.fixture
def med(empty_vaern):
    empty_vaern.import_org(ORG, "admin", START)
    deploy_guideline(empty_vaern, START, "annual_med")
    return empty_vaern


def start_round(med):
    return med.start_case("annual_med", "region", {"year": 2027}, "rmu-1", START)


def notices(med, case_id: int) -> list[tuple[str, str, list[str]]]:
    """(element, kind, recipients) of every notice the case sent, in order."""
    return [(e.details["spec"], e.details["notice"], e.details["recipients"])
            for e in med.events(case_id) if e.action == "notice"]


def passed_over(med, case_id: int) -> list[tuple[str, str]]:
    """(role, unit) of every committee the case recorded as passed over, in order."""
    return [(e.details["role"], e.details["unit"]) for e in med.events(case_id) if e.action == "committee_passed_over"]


def task_of(med, case_id: int, spec: str, person: str):
    [task] = [t for t in med.tasks_of_case(case_id) if t.spec_id == spec and t.state == "open"
              and person in (t.assignee_id, *t.candidates)]
    return task


def fire(med, case_id: int, moment: datetime) -> None:
    assert med.fire_due_timers(moment) == 1
    assert_rows_match_workflow(med, case_id)


def assert_nobody_was_assigned_nothing(med, case_id: int) -> None:
    assert not [e for e in med.events(case_id) if e.action == "task_unassigned"]
    assert all(t.assignee_id or t.candidates for t in med.tasks_of_case(case_id))


def finish_hmus_and_rmu(med, case_id: int, now: datetime) -> None:
    for hmu in HMUS.values():
        do(med, hmu, case_id, "hmu_annual_discussion", now, **hmu_answers(now))
    assert open_specs(med, case_id) == {"rmu_annual_review": ["rmu-1"]}
    closed = do(med, "rmu-1", case_id, "rmu_annual_review", now, **rmu_answers(now))
    assert closed.status == "closed"


def test_everyone_acts_and_the_round_closes_with_the_revision(med):
    case = start_round(med)
    data = med.case(case.id).data
    assert data["lmu_units"] == ["a1", "a2", "b1", "b2"] and data["hmu_units"] == ["hosp-a", "hosp-b"]
    assert sorted(open_specs(med, case.id)["lmu_annual_discussion"]) == sorted(LMUS.values())
    # Each task has its due date from the diagram's setting, not only a reminder.
    due = {t.due_at for t in med.tasks_of_case(case.id)}
    assert due == {START + LMU_DEADLINE * DAY}

    now = START + 20 * DAY
    for lmu in LMUS.values():
        assert "hmu_annual_discussion" not in open_specs(med, case.id), "HMUs wait for every LMU"
        do(med, lmu, case.id, "lmu_annual_discussion", now, **lmu_answers(now))
    assert sorted(open_specs(med, case.id)["hmu_annual_discussion"]) == sorted(HMUS.values())
    for hmu in HMUS.values():
        task = task_of(med, case.id, "hmu_annual_discussion", hmu)
        assert med.task_detail(task.id).values["passed_over_lmu"] == committees.NOBODY_PASSED_OVER
        do(med, hmu, case.id, "hmu_annual_discussion", now, **hmu_answers(now))
    do(med, "rmu-1", case.id, "rmu_annual_review", now, **rmu_answers(now, revise=True))
    assert open_specs(med, case.id) == {"rmu_policy_revision": ["rmu-1"]}
    closed = do(med, "rmu-1", case.id, "rmu_policy_revision", now, revision_summary="Digitale krænkelser",
                revision_approved_date=on(now), revision_communication="Nyhedsbrev",
                next_revision_due=(now + 700 * DAY).date().isoformat())
    assert closed.status == "closed" and not closed.escalated
    assert notices(med, case.id) == [] and passed_over(med, case.id) == []
    assert med.timers_of_case(case.id) == []
    assert_nobody_was_assigned_nothing(med, case.id)


def test_a_no_to_a_duty_gives_that_committee_an_action_plan_before_the_round_goes_on(med):
    case = start_round(med)
    now = START + 20 * DAY
    do(med, "lmu-a1", case.id, "lmu_annual_discussion", now, **lmu_answers(now, lmu_statistics_reviewed=False))
    do(med, "lmu-a2", case.id, "lmu_annual_discussion", now, **lmu_answers(now, vp2_risk_assessment="partly"))
    do(med, "lmu-b1", case.id, "lmu_annual_discussion", now, **lmu_answers(now, lmu_employees_informed=False))
    do(med, "lmu-b2", case.id, "lmu_annual_discussion", now, **lmu_answers(now, lmu_last_apv_year=2023))
    plans = open_specs(med, case.id)
    assert sorted(plans["lmu_action_plan"]) == sorted(LMUS.values())
    assert "hmu_annual_discussion" not in plans
    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1"):
        do(med, lmu, case.id, "lmu_action_plan", now + DAY, **plan_answers("lmu", now + DAY))
    # B2 makes no plan: when its deadline passes, B2's LMU is told and the round goes on.
    fire(med, case.id, now + (PLAN_DEADLINE - 5) * DAY)
    assert notices(med, case.id) == [("lmu_action_plan_reminder_notice", "reminder", ["lmu-b2"])]
    fire(med, case.id, now + PLAN_DEADLINE * DAY + timedelta(minutes=1))
    assert notices(med, case.id)[-1] == ("lmu_action_plan_overdue_notice", "overdue", ["lmu-b2"])
    assert passed_over(med, case.id) == [], "a committee that answered is not passed over"
    later = now + (PLAN_DEADLINE + 1) * DAY
    do(med, "hmu-a", case.id, "hmu_annual_discussion", later, **hmu_answers(later, hmu_statistics_reviewed=False))
    do(med, "hmu-b", case.id, "hmu_annual_discussion", later, **hmu_answers(later))
    assert open_specs(med, case.id) == {"hmu_action_plan": ["hmu-a"]}
    do(med, "hmu-a", case.id, "hmu_action_plan", later, **plan_answers("hmu", later))
    closed = do(med, "rmu-1", case.id, "rmu_annual_review", later, **rmu_answers(later))
    assert closed.status == "closed"
    assert_nobody_was_assigned_nothing(med, case.id)


def test_an_lmu_that_never_answers_is_reminded_escalated_and_passed_over_and_the_round_closes(med):
    case = start_round(med)
    now = START + 10 * DAY
    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1"):
        do(med, lmu, case.id, "lmu_annual_discussion", now, **lmu_answers(now))
    assert "hmu_annual_discussion" not in open_specs(med, case.id)

    # Before its deadline B2's LMU alone is reminded.
    assert med.fire_due_timers(START + (LMU_REMINDER - 1) * DAY) == 0
    fire(med, case.id, START + LMU_REMINDER * DAY + timedelta(minutes=1))
    assert notices(med, case.id) == [("lmu_annual_discussion_reminder_notice", "reminder", ["lmu-b2"])]

    # At the deadline B's HMU (not A's) is told and gets a task of its own about it; B2 may still answer.
    escalated = START + LMU_DEADLINE * DAY + timedelta(minutes=1)
    fire(med, case.id, escalated)
    assert notices(med, case.id)[-1] == ("lmu_escalation_notice", "escalated", ["hmu-b"])
    assert med.case(case.id).escalated
    specs = open_specs(med, case.id)
    assert specs == {"lmu_annual_discussion": ["lmu-b2"], "lmu_followup": ["hmu-b"]}
    followup = task_of(med, case.id, "lmu_followup", "hmu-b")
    assert followup.unit_id == "b2" and followup.due_at == escalated + FOLLOWUP_DEADLINE * DAY
    assert med.fire_due_timers(escalated + DAY) == 0, "each timer fires once"

    # HMU B does nothing either: reminded, then B2 is passed over and the HMUs go on with those who answered.
    fire(med, case.id, escalated + FOLLOWUP_REMINDER * DAY + timedelta(minutes=1))
    assert notices(med, case.id)[-1] == ("lmu_followup_reminder_notice", "reminder", ["hmu-b"])
    passed = escalated + FOLLOWUP_DEADLINE * DAY + timedelta(minutes=1)
    fire(med, case.id, passed)
    assert notices(med, case.id)[-1] == ("lmu_passed_over_notice", "overdue", ["hmu-b"])
    assert passed_over(med, case.id) == [("lmu", "b2")]
    states = {t.spec_id: t.state for t in med.tasks_of_case(case.id) if t.unit_id == "b2"}
    assert states == {"lmu_annual_discussion": "cancelled", "lmu_followup": "cancelled"}
    assert sorted(open_specs(med, case.id)["hmu_annual_discussion"]) == ["hmu-a", "hmu-b"]

    # Each HMU sees the LMUs under it that did not answer; the RMU sees the whole region's.
    hmu_b = med.task_detail(task_of(med, case.id, "hmu_annual_discussion", "hmu-b").id)
    hmu_a = med.task_detail(task_of(med, case.id, "hmu_annual_discussion", "hmu-a").id)
    assert hmu_b.values["passed_over_lmu"] == "Afdeling B2"
    assert hmu_a.values["passed_over_lmu"] == committees.NOBODY_PASSED_OVER
    later = passed + DAY
    for hmu in HMUS.values():
        do(med, hmu, case.id, "hmu_annual_discussion", later, **hmu_answers(later))
    rmu = med.task_detail(task_of(med, case.id, "rmu_annual_review", "rmu-1").id)
    assert rmu.values["passed_over_lmu"] == "Afdeling B2"
    assert rmu.values["passed_over_hmu"] == committees.NOBODY_PASSED_OVER
    closed = do(med, "rmu-1", case.id, "rmu_annual_review", later, **rmu_answers(later))
    assert closed.status == "closed"
    assert_nobody_was_assigned_nothing(med, case.id)


def test_an_lmu_answering_after_the_escalation_closes_the_hmus_task(med):
    case = start_round(med)
    now = START + 10 * DAY
    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1"):
        do(med, lmu, case.id, "lmu_annual_discussion", now, **lmu_answers(now))
    fire(med, case.id, START + LMU_DEADLINE * DAY + timedelta(minutes=1))  # reminder and escalation, both due
    assert "lmu_followup" in open_specs(med, case.id)
    late = START + (LMU_DEADLINE + 3) * DAY
    do(med, "lmu-b2", case.id, "lmu_annual_discussion", late, **lmu_answers(late))
    assert sorted(open_specs(med, case.id)) == ["hmu_annual_discussion"]
    assert [t.state for t in med.tasks_of_case(case.id) if t.spec_id == "lmu_followup"] == ["cancelled"]
    assert passed_over(med, case.id) == []
    finish_hmus_and_rmu(med, case.id, late)


def test_an_hmu_gives_a_last_deadline_and_then_the_lmu_is_passed_over(med):
    case = start_round(med)
    now = START + 10 * DAY
    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1"):
        do(med, lmu, case.id, "lmu_annual_discussion", now, **lmu_answers(now))
    fire(med, case.id, START + LMU_DEADLINE * DAY + timedelta(minutes=1))
    decided = START + (LMU_DEADLINE + 2) * DAY
    do(med, "hmu-b", case.id, "lmu_followup", decided, lmu_followup_decision="extend",
       lmu_followup_note="Formanden er syg; LMU mødes om to uger")
    assert notices(med, case.id)[-1] == ("lmu_extension_notice", "reminder", ["lmu-b2"])
    assert open_specs(med, case.id) == {"lmu_annual_discussion": ["lmu-b2"]}
    assert [spec for spec, _ in med.timers_of_case(case.id)] == ["lmu_extension_timer"]
    fire(med, case.id, decided + EXTENSION * DAY + timedelta(minutes=1))
    assert notices(med, case.id)[-1] == ("lmu_extension_overdue_notice", "overdue", ["hmu-b"])
    assert passed_over(med, case.id) == [("lmu", "b2")]
    finish_hmus_and_rmu(med, case.id, decided + (EXTENSION + 1) * DAY)


def test_an_hmu_passes_a_silent_lmu_over_at_once(med):
    case = start_round(med)
    now = START + 10 * DAY
    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1"):
        do(med, lmu, case.id, "lmu_annual_discussion", now, **lmu_answers(now))
    fire(med, case.id, START + LMU_DEADLINE * DAY + timedelta(minutes=1))
    decided = START + (LMU_DEADLINE + 1) * DAY
    do(med, "hmu-b", case.id, "lmu_followup", decided, lmu_followup_decision="pass_over",
       lmu_followup_note="LMU'et er nedlagt ved en omorganisering")
    assert passed_over(med, case.id) == [("lmu", "b2")]
    assert sorted(open_specs(med, case.id)["hmu_annual_discussion"]) == ["hmu-a", "hmu-b"]
    finish_hmus_and_rmu(med, case.id, decided)


def test_when_nobody_acts_every_step_is_reminded_and_escalated_and_the_round_still_ends(med):
    case = start_round(med)
    moments = []
    for _ in range(60):
        if med.case(case.id).status == "closed":
            break
        timers = med.timers_of_case(case.id)
        # Nothing ever waits on a committee without a clock running on it.
        assert timers, f"the round waits with no timer at {open_specs(med, case.id)}"
        moments.append(timers[0][1])
        fire(med, case.id, timers[0][1] + timedelta(seconds=1))
    info = med.case(case.id)
    assert info.status == "closed" and info.escalated
    sent = notices(med, case.id)
    reminded = {person for spec, kind, people in sent if kind == "reminder" for person in people}
    escalated_to = {person for spec, kind, people in sent if kind == "escalated" for person in people}
    assert set(LMUS.values()) | set(HMUS.values()) | {"rmu-1"} <= reminded
    assert escalated_to == set(HMUS.values()) | {"rmu-1", "dir"}
    assert sorted(passed_over(med, case.id)) == sorted(
        [("lmu", unit) for unit in LMUS] + [("hmu", unit) for unit in HMUS] + [("rmu", "region")])
    # Every escalation handed over a task to the level above: each HMU for its LMUs, RMU, the region's leader.
    followups = {(t.spec_id, t.assignee_id or t.candidates[0]) for t in med.tasks_of_case(case.id)
                 if t.spec_id.endswith("_followup")}
    assert followups == {("lmu_followup", "hmu-a"), ("lmu_followup", "hmu-b"), ("hmu_followup", "rmu-1"),
                         ("rmu_followup", "dir")}
    assert all(t.due_at is not None for t in med.tasks_of_case(case.id))
    assert moments == sorted(moments)
    assert_nobody_was_assigned_nothing(med, case.id)
