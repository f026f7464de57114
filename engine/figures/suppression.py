"""Small-cell suppression: a published table never lets anyone work out a count under the threshold.

Pure functions, no database. A table is a vector of counts with its total (by kind, by quarter …); a
grid is such a vector per period plus the whole year. What a reader learns from a published table is
modelled as an interval per cell: a shown count is itself, "<5" is 1..4 (0 is always shown as 0), a cell
hidden to protect another is at least the threshold (only such cells are picked), and a table whose
total is under the threshold hides every cell as 0..4. `feasible_ranges` is that reader's best
deduction from the cells and the total together; `protect` hides more until no hidden count under the
threshold is pinned to a single value, and hides the whole table when that cannot be done.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Mapping

SHOWN, SMALL, HIDDEN = "shown", "small", "hidden"  # a count, "<5", a cell hidden to protect another
UNBOUNDED = 10**12  # "at least the threshold" has no upper bound a reader could use
MIN_THRESHOLD = 3  # with 2, "<2" would mean exactly 1


@dataclass(frozen=True)
class Cell:
    """One published count: its value when shown, otherwise only the mark."""

    mark: str
    value: int | None = None

    @property
    def shown(self) -> bool:
        """True when the count itself is published."""
        return self.mark == SHOWN


@dataclass(frozen=True)
class Table:
    """A protected vector: its cells by key and its total, each a `Cell`."""

    cells: dict[Hashable, Cell]
    total: Cell
    # No cell could protect the small ones: a hidden cell here says nothing of its count (not even >= 5).
    only_total: bool = False


def check_threshold(threshold: int) -> int:
    """The threshold itself, or ValueError when it could not protect anything."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"the suppression threshold must be at least {MIN_THRESHOLD}")
    return threshold


def interval(cell: Cell, threshold: int, small_total: bool) -> tuple[int, int]:
    """What a reader knows of a cell's true count from its mark."""
    if cell.mark == SHOWN:
        return cell.value, cell.value
    if cell.mark == SMALL:
        return (0 if small_total else 1), threshold - 1
    return (0, UNBOUNDED) if small_total else (threshold, UNBOUNDED)


def feasible_ranges(table: Table, threshold: int, whole_hidden: bool = False) -> dict[Hashable, tuple[int, int]]:
    """For each hidden cell, the least and greatest count consistent with everything published.

    One linear equation (the cells add up to the total) with a box per cell: the bounds below are
    exact, and every integer between them is reachable.
    """
    small_total = table.total.mark == SMALL
    if table.only_total and not whole_hidden:
        boxes = {key: ((0, UNBOUNDED) if cell.mark == HIDDEN else interval(cell, threshold, small_total))
                 for key, cell in table.cells.items()}
    elif whole_hidden:
        boxes = {key: (0, UNBOUNDED) for key in table.cells}
    else:
        boxes = {key: interval(cell, threshold, small_total) for key, cell in table.cells.items()}
    total_lo, total_hi = interval(table.total, threshold, False) if table.total.mark != HIDDEN else (0, UNBOUNDED)
    sum_lo = sum(lo for lo, _ in boxes.values())
    sum_hi = sum(hi for _, hi in boxes.values())
    ranges = {}
    for key, cell in table.cells.items():
        if cell.mark == SHOWN and not whole_hidden:
            continue
        lo, hi = boxes[key]
        ranges[key] = (max(lo, total_lo - (sum_hi - hi)), min(hi, total_hi - (sum_lo - lo)))
    return ranges


def protect(values: Mapping[Hashable, int], threshold: int, public: frozenset = frozenset(),
            forced: frozenset = frozenset(), hide_total: bool = False) -> Table:
    """Publish `values` with their total so that no count under the threshold can be recovered.

    `public` names cells whose count is published elsewhere (a unit's cell in the table of the units
    below its parent is that unit's own total): hiding one protects nothing, so none is picked to protect.
    `forced` names cells that must not be shown or worked out although they are not small themselves,
    and `hide_total` hides the total: a unit's count is its departments' counts, which their own pages
    publish, plus what no department's page counts (the unit's own cases); where that rest is small,
    showing the unit's count would give it away by subtraction (see `residual_small`).
    """
    check_threshold(threshold)
    total = sum(values.values())
    if 0 < total < threshold:
        # Everything is small: the cells say only "<5", and so does the total.
        return Table({key: Cell(SMALL) for key in values}, Cell(SMALL))
    marks = {key: (SMALL if 0 < value < threshold else HIDDEN if key in forced else SHOWN)
             for key, value in values.items()}
    shown_total = Cell(HIDDEN) if hide_total else Cell(SHOWN, total)
    while True:
        table = _table(values, marks, shown_total)
        pinned = [key for key, (lo, hi) in feasible_ranges(table, threshold).items()
                  if lo == hi and (values[key] < threshold or key in forced)]
        if not pinned:
            return table
        spare = sorted((value, str(key), key) for key, value in values.items()
                       if marks[key] == SHOWN and value >= threshold and key not in public)
        if not spare:
            # No cell can protect the small ones: the table shows only its total (and what is public anyway);
            # and where the public cells leave the total pinning a small one, not even the total.
            cells = {key: (table.cells[key] if key in public else Cell(HIDDEN)) for key in values}
            bare = Table(cells, shown_total, only_total=True)
            if any(lo == hi and (values[key] < threshold or key in forced)
                   for key, (lo, hi) in feasible_ranges(bare, threshold).items()):
                return Table(cells, Cell(HIDDEN), only_total=True)
            return bare
        marks[spare[0][2]] = HIDDEN


def residual_small(values: Mapping[Hashable, int], threshold: int) -> frozenset:
    """The keys whose rest (what a unit counts that none of its departments' pages does) is under the threshold."""
    return frozenset(key for key, value in values.items() if 0 < value < threshold)


@dataclass(frozen=True)
class Grid:
    """Counts by category for each period and for all periods together, protected with one pattern."""

    periods: dict[Hashable, Table]
    whole: Table
    hidden_rows: frozenset


def protect_grid(periods: Mapping[Hashable, Mapping[Hashable, int]], threshold: int,
                 rest: Mapping[Hashable, Mapping[Hashable, int]] | None = None) -> Grid:
    """Protect a category-by-period grid, its period totals and its whole so no small count can be recovered.

    The whole (the year) is a table protected on its own. A category with a count under the threshold
    in any period, or hidden in the whole, is hidden in every period as well (one pattern across the
    periods of a chart), and in a period every hidden cell carries the same mark whatever its size,
    zeros included. A category hidden only for a period's sake has at least the threshold in the whole
    (otherwise the whole would hide it already), so there it is marked like any protecting cell; when
    it would be alone, the smallest other category of that size is hidden beside it. The period totals
    are a table protected on their own.

    `rest` is, per period and category, what this unit counts that none of its departments' pages
    does (its own cases, and confidential ones their pages leave out): a cell whose rest is small is
    hidden like a small one, and so is a total whose rest is (`protect`'s `forced`).
    """
    check_threshold(threshold)
    categories = sorted({c for counts in periods.values() for c in counts}, key=str)
    grid = {p: {c: periods[p].get(c, 0) for c in categories} for p in periods}
    rest_grid = {p: {c: (rest or {}).get(p, {}).get(c, 0) for c in categories} for p in periods}
    whole_values = {c: sum(grid[p][c] for p in grid) for c in categories}
    whole_rest = {c: sum(rest_grid[p][c] for p in grid) for c in categories}
    period_rest = {p: sum(counts.values()) for p, counts in rest_grid.items()}
    hide_year = 0 < sum(period_rest.values()) < threshold
    totals = protect({p: sum(counts.values()) for p, counts in grid.items()}, threshold,
                     forced=residual_small(period_rest, threshold), hide_total=hide_year)
    whole = protect(whole_values, threshold, forced=residual_small(whole_rest, threshold), hide_total=hide_year)
    hidden = {c for c, cell in whole.cells.items() if not cell.shown}
    for p, counts in grid.items():
        hidden |= {c for c, value in counts.items() if 0 < value < threshold}
        hidden |= residual_small(rest_grid[p], threshold)
        if not totals.cells[p].shown:  # a period's unknown total: its cells are no safer than "<5"
            hidden |= {c for c, value in counts.items() if value > 0}
    everything = False
    if len(hidden) == 1:
        spare = sorted((whole_values[c], str(c), c) for c in categories
                       if c not in hidden and whole_values[c] >= threshold)
        if spare:
            hidden.add(spare[0][2])
        else:  # nothing can hide beside it: the grid shows only its totals
            hidden, everything = set(categories), True
    if everything:
        whole = Table({c: Cell(HIDDEN) for c in categories}, whole.total)
    elif hidden:
        whole = Table({c: (Cell(HIDDEN) if c in hidden and cell.shown else cell) for c, cell in whole.cells.items()},
                      whole.total)
    rows = frozenset(hidden)
    return Grid({p: _rows_hidden(grid[p], rows, totals.cells[p]) for p in grid}, whole, rows)


def _rows_hidden(values: Mapping[Hashable, int], rows: frozenset, total: Cell) -> Table:
    return Table({c: (Cell(HIDDEN) if c in rows else Cell(SHOWN, v)) for c, v in values.items()}, total)


def _table(values: Mapping[Hashable, int], marks: Mapping[Hashable, str], total: Cell) -> Table:
    return Table({key: Cell(marks[key], values[key] if marks[key] == SHOWN else None) for key in values}, total)
