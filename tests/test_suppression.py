"""Small-cell suppression: no published count under the threshold can be worked out again, checked by
enumerating every table a reader could believe in and comparing it with what was published."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.figures.suppression import (
    HIDDEN,
    SHOWN,
    SMALL,
    UNBOUNDED,
    Cell,
    Table,
    feasible_ranges,
    protect,
    protect_grid,
)

T = 5


def test_a_lone_small_cell_gets_a_second_hidden_beside_it():
    table = protect({"a": 3, "b": 7, "c": 12}, T)
    assert table.cells["a"] == Cell(SMALL)
    assert table.cells["b"] == Cell(HIDDEN)  # the smallest cell that can protect it
    assert table.cells["c"] == Cell(SHOWN, 12) and table.total == Cell(SHOWN, 22)


def test_zero_is_shown_and_a_small_total_hides_everything():
    assert protect({"a": 0, "b": 9}, T).cells["a"] == Cell(SHOWN, 0)
    small = protect({"a": 1, "b": 2, "c": 0}, T)
    assert small.total == Cell(SMALL) and all(c.mark == SMALL for c in small.cells.values())


def test_two_small_cells_that_the_total_would_pin_are_not_left_alone():
    # 4 + 4 = 8: both "<5" cells would have to be 4; with nothing to hide beside them, hide the table.
    table = protect({"a": 4, "b": 4}, T)
    assert all(c.mark == HIDDEN for c in table.cells.values()) and table.total == Cell(SHOWN, 8)


def test_thresholds_under_three_are_refused():
    with pytest.raises(ValueError):
        protect({"a": 1}, 2)


def _reader_box(cell: Cell, small_total: bool, uniform_hidden: bool) -> tuple[int, int]:
    """What a reader knows of a cell from its mark (uniform_hidden: a grid period's hidden rows)."""
    if cell.mark == SHOWN:
        return cell.value, cell.value
    if cell.mark == SMALL:
        return (0 if small_total else 1), T - 1
    return (0, UNBOUNDED) if small_total or uniform_hidden else (T, UNBOUNDED)


def _total_box(cell: Cell) -> tuple[int, int]:
    return (cell.value, cell.value) if cell.shown else (1, T - 1) if cell.mark == SMALL else (0, UNBOUNDED)


def _vectors(boxes: list[tuple[int, int]], total_box: tuple[int, int], cap: int):
    """Every integer vector within the boxes (capped at `cap`) whose sum lies in the total's box."""
    ranges = [range(lo, min(hi, cap) + 1) for lo, hi in boxes]
    for vector in itertools.product(*ranges):
        if total_box[0] <= sum(vector) <= total_box[1]:
            yield vector


def _no_small_count_recoverable(values: dict, table: Table, cap: int) -> None:
    keys = list(values)
    for key in keys:
        if table.cells[key].shown:
            assert values[key] == 0 or values[key] >= T, "a count under the threshold is shown"
    small_total = table.total.mark == SMALL
    whole_hidden = all(c.mark == HIDDEN for c in table.cells.values())
    boxes = [_reader_box(table.cells[k], small_total, whole_hidden) for k in keys]
    possible = list(_vectors(boxes, _total_box(table.total), cap))
    assert tuple(values[k] for k in keys) in possible, "the reader's model excludes the truth"
    for i, key in enumerate(keys):
        if not table.cells[key].shown and 0 < values[key] < T:
            assert len({v[i] for v in possible}) >= 2, f"{key}={values[key]} can be worked out from {table}"


counts = st.integers(min_value=0, max_value=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=5))
@pytest.mark.slow
def test_no_small_count_can_be_recovered_from_a_table_and_its_total(cells):
    values = {f"k{i}": v for i, v in enumerate(cells)}
    table = protect(values, T)
    _no_small_count_recoverable(values, table, cap=sum(cells) + 1)
    # The exact ranges the module computes agree with the enumeration.
    if not all(c.mark == HIDDEN for c in table.cells.values()):
        for key, (lo, hi) in feasible_ranges(table, T).items():
            assert lo <= values[key] <= hi


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=2, max_value=3).flatmap(
    lambda n: st.lists(st.lists(st.integers(min_value=0, max_value=7 if n == 2 else 5), min_size=n, max_size=n),
                       min_size=2, max_size=2 if n == 3 else 3)))
@pytest.mark.slow
def test_no_small_count_can_be_recovered_from_a_grid_its_periods_and_the_whole(rows):
    # rows[period][category]; the reader sees every period's table, the whole's, and knows that each
    # category's whole is the sum of its periods (two overlapping periods: the quarter and the year).
    periods = {f"q{p}": {f"k{c}": v for c, v in enumerate(row)} for p, row in enumerate(rows)}
    grid = protect_grid(periods, T)
    by_period, whole, hidden = grid.periods, grid.whole, grid.hidden_rows
    categories = sorted(whole.cells)
    truth_whole = {c: sum(periods[p][c] for p in periods) for c in categories}
    for p, table in by_period.items():
        for c, cell in table.cells.items():
            assert not cell.shown or periods[p][c] == 0 or periods[p][c] >= T
            assert cell.shown == (c not in hidden), "the pattern differs between periods"
    for c, cell in whole.cells.items():
        assert not cell.shown or truth_whole[c] == 0 or truth_whole[c] >= T
    # The period totals are a protected table of their own: "<5" is 1..4, a hidden one at least 5.
    totals = {p: by_period[p].total for p in periods}
    assert all(not t.shown or t.value == 0 or t.value >= T for t in totals.values())
    cap = sum(truth_whole.values()) + 1

    all_hidden = all(t.mark == HIDDEN for t in totals.values())  # a table hidden whole: 0 or more each

    def period_total_box(cell):
        if cell.shown:
            return cell.value, cell.value
        return (1, T - 1) if cell.mark == SMALL else (0, UNBOUNDED) if all_hidden else (T, UNBOUNDED)

    def grid_box(cell):
        return (cell.value, cell.value) if cell.shown else (0, UNBOUNDED)  # a hidden row: 0 or more

    whole_all_hidden = all(c.mark == HIDDEN for c in whole.cells.values())
    whole_boxes = {c: _reader_box(whole.cells[c], whole.total.mark == SMALL, whole_all_hidden) for c in categories}

    per_period_options = []
    for p in periods:
        table = by_period[p]
        boxes = [grid_box(table.cells[c]) for c in categories]
        per_period_options.append(list(_vectors(boxes, period_total_box(table.total), cap)))
    seen: dict[tuple, set] = {}
    whole_total = _total_box(whole.total)
    for combo in itertools.product(*per_period_options):
        sums = [sum(vec[i] for vec in combo) for i in range(len(categories))]
        if not all(whole_boxes[c][0] <= s <= whole_boxes[c][1] for c, s in zip(categories, sums)):
            continue
        if not whole_total[0] <= sum(sums) <= whole_total[1]:
            continue
        for pi, vec in enumerate(combo):
            for ci, v in enumerate(vec):
                seen.setdefault((pi, ci), set()).add(v)
            seen.setdefault((pi, "total"), set()).add(sum(vec))
        for ci, s in enumerate(sums):
            seen.setdefault(("whole", ci), set()).add(s)
    assert seen, "the reader's model excludes the truth"
    for pi, p in enumerate(periods):
        for ci, c in enumerate(categories):
            if not by_period[p].cells[c].shown and 0 < periods[p][c] < T:
                assert len(seen[(pi, ci)]) >= 2, f"{p}/{c}={periods[p][c]} recoverable: {grid}"
        true_total = sum(periods[p].values())
        if not totals[p].shown and 0 < true_total < T:
            assert len(seen[(pi, "total")]) >= 2, f"the total of {p} ({true_total}) is recoverable: {grid}"
    for ci, c in enumerate(categories):
        if not whole.cells[c].shown and 0 < truth_whole[c] < T:
            assert len(seen[("whole", ci)]) >= 2, f"whole {c}={truth_whole[c]} recoverable"
