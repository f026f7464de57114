"""An accused reader cannot tell from the figures that a case against them exists: their own cases are left out."""
from __future__ import annotations

import pytest

from engine.figures.suppression import SHOWN, Cell
from tests.conftest import T0
from tests.scenario import deploy_guideline
from tests.test_scenario_harassment import REPORT as HARASSMENT
from tests.test_scenario_violence import REPORT as VIOLENCE


@pytest.fixture
def guidelines(vaern):
    deploy_guideline(vaern, T0, "violence", "harassment", "annual_med")
    return vaern


def _kind(report):
    return report.breakdowns[0].grid.whole


@pytest.mark.slow
@pytest.mark.parametrize("accused", ["leder-akut", "lmu-akut"])
def test_a_case_against_the_reader_turns_no_zero_into_a_small_count_for_them(guidelines, accused):
    vaern = guidelines
    vaern.start_case("harassment", "afd-akut", {**HARASSMENT, "accused_id": accused}, "ansat-akut", T0)
    mine = vaern.figures.report("afd-akut", T0.year, accused, T0)
    assert _kind(mine).total == Cell(SHOWN, 0) and mine.units_below.total == Cell(SHOWN, 0)
    assert all(cell == Cell(SHOWN, 0) for cell in _kind(mine).cells.values())
    # Everyone else who sits for the unit sees it counted, as "<5".
    theirs = vaern.figures.report("afd-akut", T0.year, "hr-hosp", T0)
    assert _kind(theirs).total.mark == "small"


@pytest.mark.slow
def test_with_other_cases_the_accused_reader_sees_them_all_but_their_own(guidelines):
    vaern = guidelines
    for _ in range(7):
        vaern.start_case("violence", "afd-akut", VIOLENCE, "ansat-akut", T0)
    vaern.start_case("harassment", "afd-akut", {**HARASSMENT, "accused_id": "leder-akut"}, "ansat-akut", T0)
    assert _kind(vaern.figures.report("afd-akut", T0.year, "leder-akut", T0)).total == Cell(SHOWN, 7)
    assert _kind(vaern.figures.report("afd-akut", T0.year, "hr-hosp", T0)).total == Cell(SHOWN, 8)
    # The cached report of the others is not what the accused reader gets, nor the other way round.
    assert _kind(vaern.figures.report("afd-akut", T0.year, "leder-akut", T0)).total == Cell(SHOWN, 7)


@pytest.mark.slow
def test_an_accused_committee_member_gets_the_frozen_figures_without_the_case(guidelines):
    vaern = guidelines
    vaern.start_case("harassment", "afd-akut", {**HARASSMENT, "accused_id": "lmu-akut"}, "ansat-akut", T0)
    case = vaern.start_case("annual_med", "region", {"year": T0.year + 1}, "rmu-region", T0)
    [task] = [t for t in vaern.tasks_of_case(case.id) if t.spec_id == "lmu_annual_discussion"
              and "lmu-akut" in (t.assignee_id, *t.candidates)]
    shown = vaern.task_detail(task.id).frozen
    assert _kind(shown.report_for("lmu-akut")).total == Cell(SHOWN, 0)
    assert _kind(shown.report).total.mark == "small"  # as the rest of the committee saw it
