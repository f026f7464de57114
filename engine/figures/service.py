"""The figures service: anonymised statistics for a unit and the units below it, for those who sit for it."""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from engine.clock import as_utc
from engine.errors import NotAllowed, UnknownUnit
from engine.figures import definitions as d
from engine.figures.suppression import (HIDDEN, SHOWN, SMALL, Cell, Grid, Table, check_threshold, protect,
                                       protect_grid, residual_small)
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


@dataclass(frozen=True)
class _Counts:
    """Every figure's plain counts for one scope, before any is protected."""

    breakdowns: dict[str, dict[int, dict[str, int]]]  # figure -> quarter -> category -> cases
    last_year: dict[int, int]
    tallies: dict[str, dict[int, int]]  # tally -> quarter -> cases
    days: dict[int, int]
    steps: dict[str, tuple[int, int]]  # step title -> (on time, late)
    by_unit: dict[str, int]


def _count(s, scope: d.Scope) -> _Counts:
    rows = d.case_rows(s, scope)
    steps_done = d.step_counts(s, scope)
    reminders = d.reminders(s, scope)

    def tally(definition: d.Tally) -> dict[int, int]:
        if definition.counts is not None:
            return _by_quarter((r.quarter, r.cases) for r in rows if definition.counts(r))
        if definition.steps:
            return _by_quarter((q, n) for (q, key), n in steps_done.items() if key == definition.key)
        return _by_quarter(reminders)

    return _Counts({b.key: _periods(b, rows) for b in d.BREAKDOWNS},
                   _by_quarter(d.cases_by_quarter(s, replace(scope, year=scope.year - 1))),
                   {t.key: tally(t) for t in (*d.TALLIES, *d.FOLLOW_UP_TALLIES)},
                   d.first_conversation_days(s, scope),
                   {title: (on_time, late) for title, on_time, late in d.step_timeliness(s, scope)},
                   d.cases_by_unit(s, scope))


def compute(s, org: OrgSnapshot, unit_id: str, year: int, now: datetime, settings: FigureSettings,
            excluded: tuple[int, ...] = ()) -> FiguresReport:
    """The figures of a unit and the units below it for a year, counted and protected (no check of who reads them).

    A unit's counts are its departments' counts, which their own pages publish to the same readers, plus
    its rest: its own cases, and the confidential cases of departments too small to count them. Every
    count whose rest is under the threshold is hidden as if it were small itself, or subtracting the
    departments' pages from the unit's would give the rest away.
    """
    children = _children(org)
    subtree = _below(children, unit_id)
    include_confidential = _people_in(org, subtree) >= settings.confidential_min_people
    # The whole organisation needs no list of its units.
    units = () if len(subtree) == len(org.parents) else tuple(sorted(subtree))
    scope = d.Scope(units, year, include_confidential, now, settings.long_open_days, excluded)
    t = settings.threshold
    counts = _count(s, scope)
    # Each department's units, once: the small ones leave their confidential cases to this unit's rest.
    departments = {c: _below(children, c) for c in children.get(unit_id, [])}
    small = [units for units in departments.values() if _people_in(org, units) < settings.confidential_min_people]
    rest = _count(s, replace(scope, unit_ids=(unit_id,), confidential_only_units=tuple(sorted(
        u for units in small for u in units)) if include_confidential else ())) if departments else counts

    def tally(key: str) -> TallyFigure:
        return TallyFigure(key, _protect_rest(counts.tallies[key], rest.tallies[key], t))

    breakdowns = tuple(_breakdown(b, counts.breakdowns[b.key], rest.breakdowns[b.key], t) for b in d.BREAKDOWNS)
    steps = tuple(_step(title, on_time, late, rest.steps.get(title, (0, 0)), t)
                  for title, (on_time, late) in counts.steps.items())
    below = units_below_table(counts.by_unit, children, unit_id, t, rest.by_unit)
    return FiguresReport(unit_id, org.unit_names.get(unit_id, unit_id), year, t, include_confidential,
                         breakdowns, _protect_rest(counts.last_year, rest.last_year, t),
                         tuple(tally(x.key) for x in d.TALLIES), tuple(tally(x.key) for x in d.FOLLOW_UP_TALLIES),
                         _duration(counts.days, sum(rest.days.values()), t), steps, below,
                         {u: org.unit_names.get(u, u) for u in below.cells}, now)


def _people_in(org: OrgSnapshot, units: set[str]) -> int:
    return sum(1 for unit in org.person_units.values() if unit in units)


def _protect_rest(values: dict, rest: dict, threshold: int) -> Table:
    """A table protected with the cells (and the total) whose rest is small hidden too."""
    return protect(values, threshold, forced=residual_small(rest, threshold),
                   hide_total=0 < sum(rest.values()) < threshold)


def _periods(definition: d.Breakdown, rows: list[d.CaseRow]) -> dict[int, dict[str, int]]:
    periods = {q: {c: 0 for c in definition.categories} for q in d.QUARTERS}
    for row in rows:
        key = d.category_key(getattr(row, definition.column))
        periods[row.quarter][key] = periods[row.quarter].get(key, 0) + row.cases
    return periods


def _breakdown(definition: d.Breakdown, periods: dict[int, dict[str, int]], rest: dict[int, dict[str, int]],
               threshold: int) -> BreakdownFigure:
    categories = tuple(definition.categories) + ((d.NOT_STATED,) if any(
        counts.get(d.NOT_STATED) for counts in periods.values()) else ())
    for counts in periods.values():
        if d.NOT_STATED in categories:
            counts.setdefault(d.NOT_STATED, 0)
    return BreakdownFigure(definition.key, categories, protect_grid(periods, threshold, rest))


def _by_quarter(rows) -> dict[int, int]:
    counts = {q: 0 for q in d.QUARTERS}
    for quarter, n in rows:
        counts[int(quarter)] += int(n)
    return counts


def _duration(histogram: dict[int, int], rest: int, threshold: int) -> DurationFigure:
    n = sum(histogram.values())
    if n < threshold:
        return DurationFigure(Cell(SMALL) if n else Cell(SHOWN, 0), None, None)
    count = Cell(HIDDEN) if 0 < rest < threshold else Cell(SHOWN, n)
    # The median's lower middle, and the nearest-rank 90th percentile: days a case actually took.
    return DurationFigure(count, _nth(histogram, (n - 1) // 2), _nth(histogram, max(0, -(-9 * n // 10) - 1)))


def _nth(histogram: dict[int, int], index: int) -> int:
    """The index-th smallest value (from 0) of the values a histogram counts."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if index < seen:
            return value
    raise IndexError(index)


def _step(title: str, on_time: int, late: int, rest: tuple[int, int], threshold: int) -> StepFigure:
    table = _protect_rest({"on_time": on_time, "late": late}, {"on_time": rest[0], "late": rest[1]}, threshold)
    both = table.cells["on_time"].shown and table.cells["late"].shown
    return StepFigure(title, table, on_time / (on_time + late) if both and on_time + late else None)


def units_below_table(by_unit: dict[str, int], children_of: dict[str, list[str]], unit_id: str,
                      threshold: int, rest_by_unit: dict[str, int] | None = None) -> Table:
    """Each unit directly below with everything under it, and the unit's own cases as a cell of their own."""
    children = sorted(children_of.get(unit_id, []))
    groups = {child: _below(children_of, child) for child in children}
    groups[unit_id] = {unit_id}
    rest = {key: sum((rest_by_unit or {}).get(u, 0) for u in units) for key, units in groups.items()}
    rest[unit_id] = 0  # the unit's own cell is its rest, and is protected as a count of its own
    # A child's cell is that child's own total, which its page publishes to the same readers: only the
    # unit's own cases can be hidden to protect a small cell, or subtracting the pages would undo it. A
    # child whose page leaves out confidential cases counted here is no such copy, and its rest is protected.
    # A child whose own page hides its total (its own cases are few) is hidden here as well.
    values = {key: sum(by_unit.get(u, 0) for u in units) for key, units in groups.items()}
    forced = residual_small(rest, threshold) | frozenset(
        c for c in children if children_of.get(c)
        and not units_below_table(by_unit, children_of, c, threshold, rest_by_unit).total.shown)
    return protect(values, threshold, public=frozenset(c for c in children if not rest[c] and c not in forced),
                   forced=forced, hide_total=bool(children) and 0 < sum(rest.values()) + values[unit_id] < threshold)

def _children(org: OrgSnapshot) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for unit, parent in org.parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    return children


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
