"""The figures service: anonymised statistics for a unit and the units below it, for those who sit for it."""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from engine.clock import as_utc
from engine.errors import NotAllowed, UnknownUnit
from engine.figures import definitions as d
from engine.figures.suppression import SHOWN, SMALL, Cell, Grid, Table, check_threshold, protect, protect_grid
from engine.org.snapshot import OrgCache, OrgSnapshot
from engine.unit_of_work import UnitOfWork

# Who sits for a unit's figures: the committees, HR, the work-environment organisation and leaders.
FIGURE_ROLES = ("lmu", "hmu", "rmu", "hr", "koncern_hr", "amg", "amr", "tr", "leader")
CACHE_ENTRIES = 256  # computed reports kept per process (a unit and year each)


@dataclass(frozen=True)
class FigureSettings:
    """The named settings the figures follow."""

    threshold: int = 5
    long_open_days: int = 90
    confidential_min_people: int = 50
    cache_seconds: int = 300


@dataclass(frozen=True)
class BreakdownFigure:
    """Cases split into categories, by quarter and for the year, protected as one grid."""

    key: str
    categories: tuple[str, ...]
    grid: Grid


@dataclass(frozen=True)
class TallyFigure:
    """A count by quarter with the year's total, protected."""

    key: str
    table: Table


@dataclass(frozen=True)
class DurationFigure:
    """Days from the report to the first conversation: how many cases, and the median and 90th percentile."""

    cases: Cell
    median: int | None
    p90: int | None


@dataclass(frozen=True)
class StepFigure:
    """One step with a deadline: done on time and late (protected), and the on-time share when both show."""

    title: str
    table: Table
    share: float | None


@dataclass(frozen=True)
class FiguresReport:
    """Everything "Tal og tendenser" shows for one unit (and the units below it) and one year."""

    unit_id: str
    unit_name: str
    year: int
    threshold: int
    confidential_counted: bool
    breakdowns: tuple[BreakdownFigure, ...]
    last_year: Table
    tallies: tuple[TallyFigure, ...]
    follow_ups: tuple[TallyFigure, ...]
    first_conversation: DurationFigure
    steps: tuple[StepFigure, ...]
    units_below: Table
    unit_names: dict[str, str]
    computed_at: datetime

    @property
    def this_year(self) -> Table:
        """Cases by quarter this year (the period totals of the breakdown by kind)."""
        grid = self.breakdowns[0].grid
        return Table({q: grid.periods[q].total for q in d.QUARTERS}, grid.whole.total)


@dataclass(frozen=True)
class FigureUnit:
    """A unit a person may see figures for."""

    id: str
    name: str
    depth: int
    parent_id: str | None


class FiguresService:
    """Anonymised figures per unit, computed with SQL and protected by small-cell suppression."""

    def __init__(self, uow: Callable[[], UnitOfWork], org_cache: OrgCache, settings: FigureSettings):
        self._uow = uow
        self._org_cache = org_cache
        check_threshold(settings.threshold)
        self.settings = settings
        self._cache: dict[tuple, FiguresReport] = {}  # (unit, year, org revision) -> report, oldest first
        self._lock = threading.Lock()

    def units_for(self, viewer_id: str) -> list[FigureUnit]:
        """The units the viewer sits for and the units below them, each once, in tree order."""
        with self._uow() as uow:
            org = self._org_cache.current(uow.session)
        tops = sorted({unit for (unit, role), people in org.holders.items() if role in FIGURE_ROLES
                       and viewer_id in people})
        children = _children(org)
        seen, ordered = set(), []
        for top in tops:
            if any(a in tops for a in org.unit_chain(top)[1:]):
                continue  # shown under the unit above it
            stack = [(top, 0)]
            while stack:
                unit, depth = stack.pop()
                if unit in seen:
                    continue
                seen.add(unit)
                ordered.append(FigureUnit(unit, org.unit_names.get(unit, unit), depth, org.parents.get(unit)))
                stack.extend((c, depth + 1) for c in sorted(children.get(unit, []), reverse=True))
        return ordered

    def report(self, unit_id: str, year: int, viewer_id: str, now: datetime) -> FiguresReport:
        """The figures of a unit and the units below it for a calendar year; NotAllowed unless the viewer sits for it.

        Who may see is decided on every call; what they see is computed at most once per
        `cache_seconds` for a unit and year (and again when the organisation changes): the
        committees review a year, and a 100,000-case count need not run for every page view.
        """
        now = as_utc(now)
        with self._uow() as uow:
            s = uow.session
            org = self._org_cache.current(s)
            if not org.has_unit(unit_id):
                raise UnknownUnit(f"no unit with id '{unit_id}'")
            if not _sits_for(org, viewer_id, unit_id):
                raise NotAllowed("you do not sit for this unit's figures")
            # An accused reader's figures leave out their own cases (computed for them; they are few).
            excluded = d.accused_cases(s, viewer_id)
            key = (unit_id, year, org.revision, excluded)
            with self._lock:
                cached = self._cache.get(key)
            if cached is not None and (now - cached.computed_at).total_seconds() < self.settings.cache_seconds \
                    and cached.computed_at <= now:
                return cached
            report = compute(s, org, unit_id, year, now, self.settings, excluded)
        with self._lock:
            self._cache[key] = report
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.pop(next(iter(self._cache)))
        return report


def compute(s, org: OrgSnapshot, unit_id: str, year: int, now: datetime, settings: FigureSettings,
            excluded: tuple[int, ...] = ()) -> FiguresReport:
    """The figures of a unit and the units below it for a year, counted and protected (no check of who reads them)."""
    subtree = _subtree(org, unit_id)
    people = sum(1 for unit in org.person_units.values() if unit in subtree)
    include_confidential = people >= settings.confidential_min_people
    # The whole organisation needs no list of its units.
    units = () if len(subtree) == len(org.parents) else tuple(sorted(subtree))
    scope = d.Scope(units, year, include_confidential, now, settings.long_open_days, excluded)
    t = settings.threshold
    rows = d.case_rows(s, scope)
    breakdowns = tuple(_breakdown(b, rows, t) for b in d.BREAKDOWNS)
    last_year = protect(_by_quarter(d.cases_by_quarter(s, replace(scope, year=year - 1))), t)
    steps_done = d.step_counts(s, scope)
    reminders = d.reminders(s, scope)

    def tally(definition: d.Tally) -> TallyFigure:
        if definition.counts is not None:
            counts = [(r.quarter, r.cases) for r in rows if definition.counts(r)]
        elif definition.steps:
            counts = [(q, n) for (q, key), n in steps_done.items() if key == definition.key]
        else:
            counts = reminders
        return TallyFigure(definition.key, protect(_by_quarter(counts), t))

    days = d.first_conversation_days(s, scope)
    steps = tuple(_step(title, on_time, late, t) for title, on_time, late in d.step_timeliness(s, scope))
    below = _units_below(d.cases_by_unit(s, scope), org, unit_id, t)
    return FiguresReport(unit_id, org.unit_names.get(unit_id, unit_id), year, t, include_confidential,
                         breakdowns, last_year, tuple(tally(x) for x in d.TALLIES),
                         tuple(tally(x) for x in d.FOLLOW_UP_TALLIES), _duration(days, t), steps, below,
                         {u: org.unit_names.get(u, u) for u in below.cells}, now)


def _breakdown(definition: d.Breakdown, rows: list[d.CaseRow], threshold: int) -> BreakdownFigure:
    periods = {q: {c: 0 for c in definition.categories} for q in d.QUARTERS}
    for row in rows:
        key = d.category_key(getattr(row, definition.column))
        periods[row.quarter][key] = periods[row.quarter].get(key, 0) + row.cases
    categories = tuple(definition.categories) + ((d.NOT_STATED,) if any(
        counts.get(d.NOT_STATED) for counts in periods.values()) else ())
    for counts in periods.values():
        if d.NOT_STATED in categories:
            counts.setdefault(d.NOT_STATED, 0)
    return BreakdownFigure(definition.key, categories, protect_grid(periods, threshold))


def _by_quarter(rows) -> dict[int, int]:
    counts = {q: 0 for q in d.QUARTERS}
    for quarter, n in rows:
        counts[int(quarter)] += int(n)
    return counts


def _duration(histogram: dict[int, int], threshold: int) -> DurationFigure:
    n = sum(histogram.values())
    if n < threshold:
        return DurationFigure(Cell(SMALL) if n else Cell(SHOWN, 0), None, None)
    # The median's lower middle, and the nearest-rank 90th percentile: days a case actually took.
    return DurationFigure(Cell(SHOWN, n), _nth(histogram, (n - 1) // 2), _nth(histogram, max(0, -(-9 * n // 10) - 1)))


def _nth(histogram: dict[int, int], index: int) -> int:
    """The index-th smallest value (from 0) of the values a histogram counts."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if index < seen:
            return value
    raise IndexError(index)


def _step(title: str, on_time: int, late: int, threshold: int) -> StepFigure:
    table = protect({"on_time": on_time, "late": late}, threshold)
    both = table.cells["on_time"].shown and table.cells["late"].shown
    return StepFigure(title, table, on_time / (on_time + late) if both and on_time + late else None)


def _units_below(by_unit: dict[str, int], org: OrgSnapshot, unit_id: str, threshold: int) -> Table:
    return units_below_table(by_unit, _children(org), unit_id, threshold)


def units_below_table(by_unit: dict[str, int], children_of: dict[str, list[str]], unit_id: str,
                      threshold: int) -> Table:
    """Each unit directly below with everything under it, and the unit's own cases as a cell of their own."""
    children = sorted(children_of.get(unit_id, []))
    groups = {child: _below(children_of, child) for child in children}
    groups[unit_id] = {unit_id}
    # A child's cell is that child's own total, which its page publishes to the same readers: only the
    # unit's own cases can be hidden to protect a small cell, or subtracting the pages would undo it.
    return protect({key: sum(by_unit.get(u, 0) for u in units) for key, units in groups.items()}, threshold,
                   public=frozenset(children))

def _children(org: OrgSnapshot) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for unit, parent in org.parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    return children


def _subtree(org: OrgSnapshot, unit_id: str) -> set[str]:
    return _below(_children(org), unit_id)


def _below(children: dict[str, list[str]], unit_id: str) -> set[str]:
    found, stack = set(), [unit_id]
    while stack:
        unit = stack.pop()
        if unit not in found:
            found.add(unit)
            stack.extend(children.get(unit, []))
    return found


def _sits_for(org: OrgSnapshot, viewer_id: str, unit_id: str) -> bool:
    return any(viewer_id in org.holders.get((unit, role), ()) for unit in org.unit_chain(unit_id)
               for role in FIGURE_ROLES)
