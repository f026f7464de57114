"""The committees' figures on generated cases across the unit tree, compared with a straightforward count."""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from engine import NotAllowed
from engine.models import Case
from tests.conftest import T0
from tests.scenario import deploy_guideline, do
from tests.test_scenario_harassment import REPORT as HARASSMENT
from tests.test_scenario_violence import REPORT as VIOLENCE

UNITS = ("afd-akut", "afd-psyk", "hospital")


@pytest.fixture
def cases(vaern):
    """Seeded random cases of both kinds in three units over two years; returns (vaern, what was started)."""
    deploy_guideline(vaern, T0, "violence")
    deploy_guideline(vaern, T0, "harassment")
    rng, started = random.Random(17), []
    for _ in range(70):
        unit, year, month = rng.choice(UNITS), rng.choice((2025, 2026)), rng.randint(1, 11)
        when = datetime(year, month, rng.randint(1, 28), 10, tzinfo=timezone.utc)
        if rng.random() < 0.6:
            category = rng.choice(("physical", "psychological"))
            data = {**VIOLENCE, "violence_type": category, "severity": rng.randint(1, 5),
                    "injured": rng.random() < 0.3, "acted_by": rng.choice(("patient", "citizen", "relative"))}
            kind, category = "violence", f"violence_{category}"
        else:
            category = rng.choice(("offensive", "bullying", "sexual_harassment", "sexism"))
            data = {**HARASSMENT, "kind": category, "acted_by": rng.choice(("colleague", "manager"))}
            kind = "harassment"
        vaern.start_case(kind, unit, data, "ansat-akut", when)
        started.append({"unit": unit, "year": year, "quarter": (month - 1) // 3 + 1, "category": category,
                        "severity": data.get("severity"), "acted_by": data["acted_by"],
                        "injured": data.get("injured") is True})
    return vaern, started


def _check_grid(grid, truth: Counter, threshold: int):
    """Every shown cell equals the straightforward count; every hidden one is hidden for a reason."""
    for quarter, table in grid.periods.items():
        for category, cell in table.cells.items():
            true = truth[(quarter, category)]
            if cell.shown:
                assert cell.value == true
            else:
                assert category in grid.hidden_rows
        if table.total.shown:
            assert table.total.value == sum(n for (q, _), n in truth.items() if q == quarter)
    for category, cell in grid.whole.cells.items():
        if cell.shown:
            assert cell.value == sum(n for (_, c), n in truth.items() if c == category)
    # A row is hidden only when it holds a count under the threshold, or protects one.
    small = {c for (q, c), n in truth.items() if 0 < n < threshold}
    assert small <= grid.hidden_rows


@pytest.mark.slow
def test_every_figure_matches_a_straightforward_count(cases):
    vaern, started = cases
    threshold = vaern.figures.settings.threshold
    for unit, units in (("hospital", set(UNITS)), ("afd-akut", {"afd-akut"})):
        mine = [c for c in started if c["unit"] in units and c["year"] == 2026]
        report = vaern.figures.report(unit, 2026, "hmu-hosp" if unit == "hospital" else "lmu-akut", T0)
        by_key = {b.key: b for b in report.breakdowns}
        _check_grid(by_key["kind"].grid, Counter((c["quarter"], c["category"]) for c in mine), threshold)
        _check_grid(by_key["severity"].grid,
                    Counter((c["quarter"], str(c["severity"]) if c["severity"] else "not_stated") for c in mine),
                    threshold)
        _check_grid(by_key["acted_by"].grid, Counter((c["quarter"], c["acted_by"]) for c in mine), threshold)
        injuries = {t.key: t for t in report.tallies}["injuries"].table
        truth = Counter(c["quarter"] for c in mine if c["injured"])
        for quarter, cell in injuries.cells.items():
            if cell.shown:
                assert cell.value == truth[quarter] and (truth[quarter] == 0 or truth[quarter] >= threshold)
        assert report.this_year.total.value == len(mine) or not report.this_year.total.shown
        last = [c for c in started if c["unit"] in units and c["year"] == 2025]
        assert report.last_year.total.value == len(last) or not report.last_year.total.shown


@pytest.mark.slow
def test_the_units_below_add_up_and_nobody_outside_sees_figures(cases):
    vaern, started = cases
    report = vaern.figures.report("hospital", 2026, "hr-hosp", T0)
    truth = Counter(c["unit"] for c in started if c["year"] == 2026)
    for unit, cell in report.units_below.cells.items():
        assert not cell.shown or cell.value == truth[unit]
    assert [u.id for u in vaern.figures.units_for("hmu-hosp")] == ["hospital", "afd-akut", "afd-psyk"]
    assert vaern.figures.units_for("ansat-akut") == []
    with pytest.raises(NotAllowed):
        vaern.figures.report("hospital", 2026, "ansat-akut", T0)
    with pytest.raises(NotAllowed):
        vaern.figures.report("afd-psyk", 2026, "lmu-akut", T0)  # a neighbouring department's committee


@pytest.mark.slow
def test_confidential_cases_count_only_in_units_large_enough(vaern):
    deploy_guideline(vaern, T0, "harassment")
    for _ in range(6):
        vaern.start_case("harassment", "afd-akut", {**HARASSMENT, "kind": "bullying", "confidential": True},
                         "ansat-akut", T0)
    # The demo organisation has 15 people, fewer than the default 50: the cases are not counted.
    report = vaern.figures.report("afd-akut", T0.year, "lmu-akut", T0)
    assert not report.confidential_counted and report.this_year.total.value == 0


@pytest.mark.slow
def test_facts_survive_a_retention_purge(cases):
    vaern, started = cases
    before = vaern.figures.report("hospital", 2025, "hmu-hosp", T0)
    with vaern.uow() as uow:  # close every 2025 case as if long ago, so the purge takes them
        uow.session.execute(update(Case).where(Case.created_at < datetime(2026, 1, 1, tzinfo=timezone.utc))
                            .values(status="closed", closed_at=datetime(2025, 12, 31, tzinfo=timezone.utc)))
        uow.commit()
    purged = vaern.purge_closed_cases(T0, older_than=timedelta(days=30), dry_run=False)
    assert purged.case_ids
    later = T0 + timedelta(seconds=vaern.figures.settings.cache_seconds + 1)  # counted again, not cached
    after = vaern.figures.report("hospital", 2025, "hmu-hosp", later)
    assert after.computed_at == later
    assert after.breakdowns == before.breakdowns and after.tallies[:3] == before.tallies[:3]


def test_figures_are_counted_again_once_the_cache_has_aged(vaern):
    deploy_guideline(vaern, T0, "violence")
    first = vaern.figures.report("afd-akut", T0.year, "lmu-akut", T0)
    vaern.start_case("violence", "afd-akut", VIOLENCE, "ansat-akut", T0)
    soon = T0 + timedelta(seconds=60)
    assert vaern.figures.report("afd-akut", T0.year, "lmu-akut", soon) is first  # within the setting
    assert vaern.figures.report("afd-akut", T0.year, "leder-akut", soon) is first  # anyone who sits for it
    with pytest.raises(NotAllowed):  # who may see is checked on every call, cached or not
        vaern.figures.report("afd-akut", T0.year, "lmu-psyk", soon)
    later = T0 + timedelta(seconds=vaern.figures.settings.cache_seconds)
    fresh = vaern.figures.report("afd-akut", T0.year, "lmu-akut", later)
    assert fresh.this_year.total.mark == "small" and first.this_year.total.value == 0


def test_days_to_the_first_conversation_and_steps_on_time_match_the_task_rows(vaern):
    deploy_guideline(vaern, T0, "violence")
    waited = (0, 1, 2, 3, 10)
    # Serious cases: their first conversation has a deadline, so the steps' timeliness counts it too.
    ids = [vaern.start_case("violence", "afd-akut", {**VIOLENCE, "serious": True}, "ansat-akut", T0).id
           for _ in waited]
    for case_id, days in zip(ids, waited):
        do(vaern, "leder-akut", case_id, "first_talk_serious", T0 + timedelta(days=days, hours=1))
    later = T0 + timedelta(days=30)
    report = vaern.figures.report("afd-akut", T0.year, "lmu-akut", later)
    assert report.first_conversation.cases.value == 5
    assert (report.first_conversation.median, report.first_conversation.p90) == (2, 10)  # nearest rank
    rows = [t for case_id in ids for t in vaern.tasks_of_case(case_id)
            if t.state == "completed" and t.due_at is not None]
    for step in report.steps:
        mine = [t for t in rows if t.title == step.title]
        on_time = sum(1 for t in mine if t.completed_at <= t.due_at)
        truth = {"on_time": on_time, "late": len(mine) - on_time}
        for key, cell in step.table.cells.items():
            if cell.shown:
                assert cell.value == truth[key]
        if not all(cell.shown for cell in step.table.cells.values()):
            assert any(0 < n < 5 for n in truth.values()) and step.share is None
        else:
            assert step.share == on_time / len(mine)
    assert {s.title for s in report.steps} == {t.title for t in rows} and rows
