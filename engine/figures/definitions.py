"""Every figure the committees see, each defined once: what it counts, by what, and the SQL that counts it.

Figures are computed with SQL over the tables (case, case_fact, task, event), never by loading a
case, so they cost the same for purged cases (whose case, case_fact, task and reminder rows the
purge keeps without names) as for live ones. Periods are calendar quarters of the month the case was
reported in; nothing finer than the month is ever grouped on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import Integer, and_, cast, distinct, func, or_, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from engine.figures.facts import ACTORS, CATEGORIES, SEVERITIES
from engine.models import Case, CaseFact, CaseParty, Event, Task

CASE_KINDS = ("violence", "harassment")  # the annual cycle's own cases are not counted
NOT_STATED = "not_stated"
QUARTERS = (1, 2, 3, 4)

# Steps that stand for a follow-up being done, by diagram (spec ids of workflows/*.bpmn).
FIRST_CONVERSATION = ("first_talk", "first_talk_serious", "Task_Conversation", "Task_ConversationSerious")
ACCIDENT_REPORT = ("accident_report", "Task_AccidentReport")
POLICE_REPORT = ("police_report_task",)
FOLLOW_UPS = {
    "wellbeing": ("wellbeing_check",),
    "learning": ("decide_learning", "amr_learning", "Task_Learning"),
    "vtc": ("register_vtc_leader", "register_vtc_employee", "Task_Register"),
}


@dataclass(frozen=True)
class Scope:
    """Which cases a figure counts: the units (a subtree; empty for all), the year, whether confidential ones count."""

    unit_ids: tuple[str, ...]
    year: int
    include_confidential: bool
    now: datetime
    long_open_days: int
    # Cases the reader is accused in: not counted for them, so a 0 turning "<5" cannot tell them of one.
    excluded: tuple[int, ...] = ()
    # Units whose confidential cases count, and only those (the rest of a unit: see figures.service).
    confidential_only_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Breakdown:
    """A figure that splits the cases into categories, by quarter (a partition: the categories add up)."""

    key: str
    categories: tuple[str, ...]
    column: str  # the CaseRow field it splits on


@dataclass(frozen=True)
class Tally:
    """A figure that counts cases by quarter: with an injury, escalated, open longer than the setting …"""

    key: str
    counts: Callable[["CaseRow"], bool] | None = None  # for counts of the case rows
    steps: tuple[str, ...] = ()  # or: cases with one of these steps done


@dataclass(frozen=True)
class CaseRow:
    """How many cases of a quarter share every fact a figure splits or counts on (one grouped query)."""

    quarter: int
    category: str | None
    severity: int | None
    acted_by: str | None
    injured: bool
    escalated: bool
    long_open: bool
    cases: int


def _quarter(column):
    # Months 1-3 are quarter 1, and so on; extract() reads the stored UTC month on SQLite and PostgreSQL.
    return sql_case((func.extract("month", column) <= 3, 1), (func.extract("month", column) <= 6, 2),
                    (func.extract("month", column) <= 9, 3), else_=4)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)


def in_scope(scope: Scope):
    """The condition on `case` for the cases a scope counts."""
    start, end = _year_bounds(scope.year)
    conditions = [Case.kind.in_(CASE_KINDS), Case.created_at >= start, Case.created_at < end]
    units = []
    if scope.unit_ids:  # empty: every unit (the region), without a list of them all
        units.append(Case.unit_id.in_(scope.unit_ids))
    if not scope.include_confidential:
        units.append(Case.confidential.is_(False))
    if scope.confidential_only_units:
        conditions.append(or_(and_(true(), *units), and_(Case.unit_id.in_(scope.confidential_only_units),
                                                 Case.confidential.is_(True))))
    else:
        conditions.extend(units)
    if scope.excluded:
        conditions.append(Case.id.not_in(scope.excluded))
    return and_(*conditions)


def accused_cases(s: Session, person_id: str) -> tuple[int, ...]:
    """The cases (of the kinds counted) in which the person is the accused."""
    return tuple(sorted(s.scalars(select(CaseParty.case_id).join(Case, Case.id == CaseParty.case_id)
                                  .where(CaseParty.role == "accused", CaseParty.person_id == person_id,
                                         Case.kind.in_(CASE_KINDS)))))


def case_rows(s: Session, scope: Scope) -> list[CaseRow]:
    """Every fact-based figure's input in one grouped query over case and case_fact."""
    quarter = _quarter(Case.created_at)
    cutoff = scope.now - timedelta(days=scope.long_open_days)
    long_open = and_(Case.status == "open", Case.created_at < cutoff)
    injured = func.coalesce(CaseFact.injured, False)
    columns = (quarter, CaseFact.category, CaseFact.severity, CaseFact.acted_by, injured, Case.escalated, long_open)
    rows = s.execute(select(*columns, func.count()).select_from(Case)
                     .outerjoin(CaseFact, CaseFact.case_id == Case.id)
                     .where(in_scope(scope)).group_by(*columns)).all()
    return [CaseRow(int(q), c, sev, actor, bool(inj), bool(esc), bool(long), int(n))
            for q, c, sev, actor, inj, esc, long, n in rows]


def cases_by_quarter(s: Session, scope: Scope) -> list[tuple[int, int]]:
    """(quarter, cases) in the scope."""
    quarter = _quarter(Case.created_at)
    return [(int(q), int(n)) for q, n in
            s.execute(select(quarter, func.count()).where(in_scope(scope)).group_by(quarter)).all()]


def cases_by_unit(s: Session, scope: Scope) -> dict[str, int]:
    """Cases in the scope per unit."""
    return {unit: int(n) for unit, n in s.execute(select(Case.unit_id, func.count()).where(in_scope(scope))
                                                  .group_by(Case.unit_id)).all()}


def step_counts(s: Session, scope: Scope) -> dict[tuple[int, str], int]:
    """(quarter, tally key) -> cases with one of the tally's steps done, in one query over the task rows."""
    tallies = [t for t in (*TALLIES, *FOLLOW_UP_TALLIES) if t.steps]
    group = sql_case(*((Task.spec_id.in_(t.steps), t.key) for t in tallies))
    quarter = _quarter(Case.created_at)
    every = tuple(spec for t in tallies for spec in t.steps)
    rows = s.execute(select(quarter, group, func.count(distinct(Case.id))).select_from(Case)
                     .join(Task, Task.case_id == Case.id)
                     .where(in_scope(scope), Task.spec_id.in_(every), Task.state == "completed")
                     .group_by(quarter, group)).all()
    return {(int(q), key): int(n) for q, key, n in rows}


def reminders(s: Session, scope: Scope) -> list[tuple[int, int]]:
    """(quarter, reminders sent) for the scope's cases; the purge keeps a reminder's kind for this."""
    quarter = _quarter(Case.created_at)
    return [(int(q), int(n)) for q, n in s.execute(
        select(quarter, func.count(Event.id)).select_from(Case).join(Event, Event.case_id == Case.id)
        .where(in_scope(scope), Event.action == "notice", Event.details["notice"].as_string() == "reminder")
        .group_by(quarter)).all()]


BREAKDOWNS = (
    Breakdown("kind", CATEGORIES, "category"),
    Breakdown("severity", tuple(str(n) for n in SEVERITIES), "severity"),
    Breakdown("acted_by", ACTORS, "acted_by"),
)

TALLIES = (
    Tally("injuries", counts=lambda row: row.injured),
    Tally("accident_reports", steps=ACCIDENT_REPORT),
    Tally("police_reports", steps=POLICE_REPORT),
    Tally("reminders"),  # counted from the event log: see reminders()
    Tally("escalations", counts=lambda row: row.escalated),
    Tally("open_longer", counts=lambda row: row.long_open),
)

# Follow-up done: each kind of follow-up is a tally of its own (a case can have all three).
FOLLOW_UP_TALLIES = tuple(Tally(key, steps=ids) for key, ids in FOLLOW_UPS.items())


def first_conversation_days(s: Session, scope: Scope) -> dict[int, int]:
    """Whole days from the report to the first conversation being recorded -> how many cases took that long."""
    first = (select(Task.case_id, func.min(Task.completed_at).label("done")).select_from(Case)
             .join(Task, Task.case_id == Case.id)
             .where(in_scope(scope), Task.spec_id.in_(FIRST_CONVERSATION), Task.state == "completed")
             .group_by(Task.case_id).subquery())
    days = _whole_days(s, first.c.done, Case.created_at)
    rows = s.execute(select(days, func.count()).join(first, first.c.case_id == Case.id).group_by(days)).all()
    histogram: dict[int, int] = {}
    for n_days, cases in rows:
        histogram[max(0, int(n_days))] = histogram.get(max(0, int(n_days)), 0) + int(cases)
    return histogram


def _whole_days(s: Session, later, earlier):
    # Counted in the database, so only a histogram comes back; each dialect has its own date arithmetic.
    if s.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(func.floor(func.extract("epoch", later - earlier) / 86400), Integer)


def step_timeliness(s: Session, scope: Scope) -> list[tuple[str, int, int]]:
    """For each step with a deadline: its title, how many were done on time and how many late."""
    on_time = func.sum(sql_case((Task.completed_at <= Task.due_at, 1), else_=0))
    rows = s.execute(select(Task.title, on_time, func.count()).select_from(Case).join(Task, Task.case_id == Case.id)
                     .where(in_scope(scope), Task.state == "completed", Task.due_at.is_not(None))
                     .group_by(Task.title).order_by(Task.title)).all()
    return [(title, int(done or 0), int(n) - int(done or 0)) for title, done, n in rows]


def category_key(value) -> str:
    """The category a stored value counts under ('not_stated' for none)."""
    return NOT_STATED if value is None else str(value)
