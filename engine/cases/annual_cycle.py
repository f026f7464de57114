"""The year's MED round: one `annual_med` case per calendar year, for the organisation's top unit.

It starts by itself on the date in the diagram's setting `annual_start` (month-day, e.g. `02-01`, Danish
time) when the timer sweep finds that date passed and no round of the year, or when an administrator
asks (the admin page's button, `vaern annual start`). Never twice in a year: the start re-checks inside
its own transaction, after locking the kind's definition rows, so two schedulers cannot both start one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.calendar import DANISH_TIME
from engine.cases import store
from engine.cases.results import CaseInfo
from engine.cases.store import SYSTEM
from engine.clock import as_utc
from engine.errors import DefinitionError, Problem, UnknownCaseKind, UnknownUnit, VaernError
from engine.models import Case, Definition
from engine.unit_of_work import UnitOfWork

KIND = "annual_med"
START_SETTING = "annual_start"
_MONTH_DAY = re.compile(r"^(?:--)?(\d{2})-(\d{2})$")


class AnnualRoundExists(VaernError):
    """This year's MED round has already been started (it may also have ended)."""

    def __init__(self, year: int, case_id: int):
        super().__init__(f"the MED round of {year} has already been started: case {case_id}")
        self.year = year
        self.case_id = case_id


@dataclass(frozen=True)
class AnnualRound:
    """This year's round as the admin page shows it: its case if started, and when it starts by itself."""

    year: int
    case_id: int | None
    status: str | None
    starts_at: datetime | None
    deployed: bool
    problem: str | None = None  # why it cannot start by itself (a setting that is not a month-day)


def round_year(now: datetime) -> int:
    """The calendar year a round started at `now` belongs to, in Danish time."""
    return as_utc(now).astimezone(DANISH_TIME).year


def start_moment(value: str, year: int) -> datetime:
    """When `annual_start` (MM-DD) falls in `year`: the start of that day in Danish time, as UTC."""
    match = _MONTH_DAY.match((value or "").strip())
    if not match:
        raise ValueError(f"'{value}' is not a month-day such as 02-01")
    month, day = int(match.group(1)), int(match.group(2))
    if (month, day) == (2, 29) and not _is_leap(year):
        day = 28  # a round set to start on leap day starts on the last day of February in other years
    return as_utc(datetime.combine(date(year, month, day), time(0), DANISH_TIME))


def annual_round(vaern, now: datetime) -> AnnualRound:
    """This year's round: its case (if started), and when it starts by itself (None: only by hand)."""
    year = round_year(now)
    with vaern.uow() as uow:
        s = uow.session
        definition = _newest(s)
        existing = round_of(s, year)
        status = s.scalar(select(Case.status).where(Case.id == existing)) if existing else None
        starts_at, problem = None, None
        if definition is not None:
            try:
                starts_at = _scheduled(vaern, definition, year)
            except DefinitionError as exc:
                problem = exc.problems[0].message
    return AnnualRound(year, existing, status, starts_at, definition is not None, problem)


def start_annual_round(vaern, user: str, now: datetime, source: str = "admin",
                       look: Callable[..., int | None] | None = None) -> CaseInfo:
    """Start this year's round for the organisation's top unit; AnnualRoundExists if it was started already.

    `look(session, year, besides=None)` finds a round of the year (`round_of`; a test gives its own to stage
    two starters at once): once before the start, and again inside it, under a lock, before it commits.
    """
    look = look or round_of
    now = as_utc(now)
    year = round_year(now)
    with vaern.uow() as uow:
        if _newest(uow.session) is None:
            raise UnknownCaseKind(f"no diagram is deployed for the case kind '{KIND}'")
        existing = look(uow.session, year)
    if existing is not None:
        raise AnnualRoundExists(year, existing)
    unit = top_unit(vaern)

    def only_one(uow: UnitOfWork, info: CaseInfo) -> None:
        # Rows locked until commit: a second starter waits here, then sees the first one's case and gives up.
        s = uow.session
        s.execute(update(Definition).where(Definition.kind == KIND).values(version=Definition.version))
        other = look(s, year, besides=info.id)
        if other is not None:
            raise AnnualRoundExists(year, other)
        store.record(uow, now, user, "annual_round_started", info.id, year=year, source=source, unit=unit)

    return vaern.start_case(KIND, unit, {"year": year}, user, now, on_started=only_one)


def start_due_round(vaern, now: datetime) -> CaseInfo | None:
    """For the timer sweep: start this year's round once its `annual_start` date has come; None otherwise."""
    now = as_utc(now)
    year = round_year(now)
    with vaern.uow() as uow:
        s = uow.session
        definition = _newest(s)
        starts_at = _scheduled(vaern, definition, year) if definition is not None else None
        if starts_at is None or now < starts_at or round_of(s, year) is not None:
            return None
    try:
        return start_annual_round(vaern, SYSTEM, now, source="schedule")
    except AnnualRoundExists:
        return None  # another scheduler started it a moment ago


def top_unit(vaern) -> str:
    """The organisation's top unit (the region): the one unit without a parent, or the one of them with an RMU."""
    roots = sorted(u.id for u in vaern.units() if u.parent_id is None)
    if len(roots) > 1:
        roots = [unit for unit in roots if vaern.resolve("rmu", unit)] or roots
    if len(roots) != 1:
        raise UnknownUnit("the organisation has no single top unit to hold the MED round"
                          + (f" (top units: {', '.join(roots)})" if roots else " (import the organisation first)"))
    return roots[0]


def _newest(s: Session) -> Definition | None:
    return s.scalar(select(Definition).where(Definition.kind == KIND).order_by(Definition.version.desc()).limit(1))


def _scheduled(vaern, definition: Definition, year: int) -> datetime | None:
    parsed = vaern.specs.get(definition.content_hash, lambda: definition.xml, definition.filename)
    value = parsed.settings.get(START_SETTING)
    if value is None:
        return None
    try:
        return start_moment(value, year)
    except ValueError as exc:
        raise DefinitionError([Problem(definition.filename, None, KIND,
                                       f"the setting '{START_SETTING}' = {value!r} is not valid: {exc}")]) from exc


def round_of(s: Session, year: int, besides: int | None = None) -> int | None:
    """The case id of the round started in `year` (Danish calendar year), if any."""
    begins = as_utc(datetime.combine(date(year, 1, 1), time(0), DANISH_TIME))
    ends = as_utc(datetime.combine(date(year + 1, 1, 1), time(0), DANISH_TIME))
    query = select(Case.id).where(Case.kind == KIND, Case.created_at >= begins, Case.created_at < ends)
    if besides is not None:
        query = query.where(Case.id != besides)
    return s.scalar(query.order_by(Case.id).limit(1))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
