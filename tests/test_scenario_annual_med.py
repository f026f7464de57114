"""The annual MED cycle through the engine: two HMUs, four LMUs, one of them late."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import T0
from tests.scenario import deploy_guideline, do, open_specs

ORG = Path(__file__).resolve().parent / "orgs" / "two_areas.yaml"


@pytest.fixture
def med(empty_vaern):
    empty_vaern.import_org(ORG, "admin", T0)
    deploy_guideline(empty_vaern, T0, "annual_med")
    return empty_vaern


def test_an_annual_cycle_across_two_hmus_and_four_lmus_with_one_late_lmu(med):
    case = med.start_case("annual_med", "region", {"year": 2026}, "rmu-1", T0)
    data = med.case(case.id).data
    assert data["lmu_units"] == ["a1", "a2", "b1", "b2"] and data["hmu_units"] == ["hosp-a", "hosp-b"]
    assert sorted(open_specs(med, case.id)["lmu_annual_discussion"]) == ["lmu-a1", "lmu-a2", "lmu-b1", "lmu-b2"]

    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1"):
        do(med, lmu, case.id, "lmu_annual_discussion", T0 + timedelta(days=30))

    # B2 misses the deadline: first a reminder to B2's LMU only, then escalation to B's HMU only.
    lmu_deadline = T0 + timedelta(days=90)
    assert med.fire_due_timers(lmu_deadline + timedelta(minutes=1)) == 1
    notices = [e.details for e in med.events(case.id) if e.action == "notice"]
    assert [(n["notice"], n["recipients"]) for n in notices] == [("reminder", ["lmu-b2"])]
    escalate = T0 + timedelta(days=120)
    assert med.fire_due_timers(escalate + timedelta(minutes=1)) == 1
    notices = [e.details for e in med.events(case.id) if e.action == "notice"]
    assert [(n["notice"], n["recipients"]) for n in notices][1] == ("escalated", ["hmu-b"])
    assert med.case(case.id).escalated
    assert med.fire_due_timers(escalate + timedelta(days=1)) == 0  # each timer fires once

    do(med, "lmu-b2", case.id, "lmu_annual_discussion", escalate + timedelta(days=2))
    hmu_tasks = open_specs(med, case.id)["hmu_annual_discussion"]
    assert sorted(hmu_tasks) == ["hmu-a", "hmu-b"]
    later = escalate + timedelta(days=10)
    do(med, "hmu-a", case.id, "hmu_annual_discussion", later)
    do(med, "hmu-b", case.id, "hmu_annual_discussion", later)
    assert open_specs(med, case.id) == {"rmu_annual_review": ["rmu-1"]}
    do(med, "rmu-1", case.id, "rmu_annual_review", later, policy_revision_needed=True)
    assert open_specs(med, case.id) == {"rmu_policy_revision": ["rmu-1"]}
    do(med, "rmu-1", case.id, "rmu_policy_revision", later)
    assert med.case(case.id).status == "closed"


def test_a_year_without_revision_closes_after_the_rmu_review(med):
    case = med.start_case("annual_med", "region", {"year": 2026}, "rmu-1", T0)
    for lmu in ("lmu-a1", "lmu-a2", "lmu-b1", "lmu-b2"):
        do(med, lmu, case.id, "lmu_annual_discussion", T0)
    for hmu in ("hmu-a", "hmu-b"):
        do(med, hmu, case.id, "hmu_annual_discussion", T0)
    closed = do(med, "rmu-1", case.id, "rmu_annual_review", T0, policy_revision_needed=False)
    assert closed.status == "closed" and not closed.escalated
