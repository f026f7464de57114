"""Suppression across nested units: a reader who sees a unit and the units below it, and subtracts their pages."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.figures.service import units_below_table
from engine.figures.suppression import HIDDEN, SHOWN, SMALL, Cell, Table, feasible_ranges

T = 5


@st.composite
def trees(draw):
    """A region, 1-3 hospitals, each with 0-3 departments; each unit's own case count, often small or zero."""
    children, counts = {"region": []}, {"region": draw(st.sampled_from((0, 0, 1, 2, 3, 6, 9)))}
    count = st.sampled_from((0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 20))
    for h in range(draw(st.integers(1, 3))):
        hospital = f"h{h}"
        children["region"].append(hospital)
        children[hospital], counts[hospital] = [], draw(count)
        for d in range(draw(st.integers(0, 3))):
            department = f"{hospital}-d{d}"
            children[hospital].append(department)
            children[department], counts[department] = [], draw(count)
    return children, counts


def _subtree_total(children, counts, unit):
    return counts[unit] + sum(_subtree_total(children, counts, c) for c in children[unit])


def _reader_view(table: Table, below: dict[str, Table]) -> Table:
    """What a reader knows of a unit's table of units below once they also read each child's own page."""
    cells = {}
    for key, cell in table.cells.items():
        child_total = below[key].total if key in below else None
        cells[key] = child_total if child_total is not None and child_total.shown else cell
    return Table(cells, table.total, table.only_total)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(trees())
def test_a_hidden_cell_of_the_units_below_is_not_given_away_by_the_pages_below(tree):
    """No small cell is pinned by a unit's table of the units below together with the pages of those units."""
    children, counts = tree
    tables = {unit: units_below_table(counts, children, unit, T) for unit in children}
    for unit, table in tables.items():
        truth = {key: (_subtree_total(children, counts, key) if key != unit else counts[unit]) for key in table.cells}
        # Every published cell is true, and a child's cell is shown only as what its own page gives as its total.
        for key, cell in table.cells.items():
            assert not cell.shown or cell.value == truth[key]
            if key != unit and cell.shown:
                assert tables[key].total == cell, f"{key}'s page hides its total, but {unit}'s table shows it"
        view = _reader_view(table, {c: tables[c] for c in children[unit]})
        for key, (lo, hi) in feasible_ranges(view, T).items():
            assert not (0 < truth[key] < T and lo == hi), f"{key} in {unit}'s table is given away: {view}"
        # A cell hidden to protect another is never one the page below publishes.
        for key, cell in table.cells.items():
            if key != unit and cell.mark == HIDDEN:
                assert not tables[key].total.shown, f"{key} is hidden in {unit}'s table, but its own page shows it"


def test_a_hospital_with_few_cases_of_its_own_hides_its_total_rather_than_give_them_away():
    children = {"h": ["a", "b"], "a": [], "b": []}
    counts = {"h": 2, "a": 6, "b": 6}
    table = units_below_table(counts, children, "h", T)
    # 14 - 6 - 6 would be the hospital's own 2.
    assert table.cells["a"] == Cell(SHOWN, 6) and table.cells["b"] == Cell(SHOWN, 6)
    assert table.cells["h"] == Cell(SMALL) and not table.total.shown


def test_a_department_is_not_hidden_to_protect_its_sister_when_the_hospital_itself_can_be():
    children = {"h": ["a", "b"], "a": [], "b": []}
    counts = {"h": 6, "a": 7, "b": 2}
    table = units_below_table(counts, children, "h", T)
    # Before, "a" (7, the smallest cell of at least 5) was hidden, but a's own page says 7: 15 - 7 - 6 = 2.
    assert table.cells["a"] == Cell(SHOWN, 7) and table.cells["b"] == Cell(SMALL)
    assert table.cells["h"] == Cell(HIDDEN) and table.total == Cell(SHOWN, 15)
