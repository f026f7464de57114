"""Every figure the committees see, each defined once: what it counts, by what, and the SQL that counts it.

Figures are computed with SQL over the tables (case, case_fact, task, event), never by loading a
case, so they cost the same for purged cases (whose case, case_fact, task and reminder rows the
purge keeps without names) as for live ones. Periods are calendar quarters of the month the case was
reported in; nothing finer than the month is ever grouped on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable

from sqlalchemy import and_, case as sql_case, distinct, func, select
from sqlalchemy.orm import Session

from ..models import Case, CaseFact, Event, Task
from .facts import ACTORS, CATEGORIES, SEVERITIES

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
    """Which cases a figure counts: the units (a subtree), the year, and whether confidential ones count."""

    unit_ids: tuple[str, ...]
    year: int
    include_confidential: bool
    now: datetime
    long_open_days: int


@dataclass(frozen=True)
class Breakdown:
    """A figure that splits the cases into categories, by quarter (a partition: the categories add up)."""

    key: str
    categories: tuple[str, ...]
    counts: Callable[[Session, Scope], Iterable[tuple[int, str | None, int]]]  # (quarter, category, n)


@dataclass(frozen=True)
class Tally:
    """A figure that counts something by quarter: cases with an injury, reminders sent …"""

    key: str
    counts: Callable[[Session, Scope], Iterable[tuple[int, int]]]  # (quarter, n)


def _quarter(column):
    # Months 1-3 are quarter 1, and so on; extract() reads the stored UTC month on SQLite and PostgreSQL.
    return sql_case((func.extract("month", column) <= 3, 1), (func.extract("month", column) <= 6, 2),
                    (func.extract("month", column) <= 9, 3), else_=4)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)


def _in_scope(scope: Scope):
    start, end = _year_bounds(scope.year)
    conditions = [Case.kind.in_(CASE_KINDS), Case.unit_id.in_(scope.unit_ids),
                  Case.created_at >= start, Case.created_at < end]
    if not scope.include_confidential:
        conditions.append(Case.confidential.is_(False))
    return and_(*conditions)


def _by_fact(column):
    def counts(s: Session, scope: Scope):
        quarter = _quarter(Case.created_at)
        return s.execute(select(quarter, column, func.count()).select_from(Case)
                         .outerjoin(CaseFact, CaseFact.case_id == Case.id)
                         .where(_in_scope(scope)).group_by(quarter, column)).all()
    return counts


def _cases_where(condition):
    def counts(s: Session, scope: Scope):
        quarter = _quarter(Case.created_at)
        return s.execute(select(quarter, func.count()).select_from(Case)
                         .outerjoin(CaseFact, CaseFact.case_id == Case.id)
                         .where(_in_scope(scope), condition).group_by(quarter)).all()
    return counts


def _cases_with_step(spec_ids: tuple[str, ...]):
    def counts(s: Session, scope: Scope):
        quarter = _quarter(Case.created_at)
        return s.execute(select(quarter, func.count(distinct(Case.id))).select_from(Case)
                         .join(Task, Task.case_id == Case.id)
                         .where(_in_scope(scope), Task.spec_id.in_(spec_ids), Task.state == "completed")
                         .group_by(quarter)).all()
    return counts


def _reminders(s: Session, scope: Scope):
    quarter = _quarter(Case.created_at)
    return s.execute(select(quarter, func.count(Event.id)).select_from(Case).join(Event, Event.case_id == Case.id)
                     .where(_in_scope(scope), Event.action == "notice",
                            Event.details["notice"].as_string() == "reminder").group_by(quarter)).all()


def _open_longer(s: Session, scope: Scope):
    quarter = _quarter(Case.created_at)
    cutoff = scope.now.timestamp() - scope.long_open_days * 86400
    return s.execute(select(quarter, func.count()).select_from(Case)
                     .where(_in_scope(scope), Case.status == "open",
                            Case.created_at < datetime.fromtimestamp(cutoff, timezone.utc))
                     .group_by(quarter)).all()


def _follow_ups(s: Session, scope: Scope):
    step_kind = sql_case(*((Task.spec_id.in_(ids), key) for key, ids in FOLLOW_UPS.items()))
    quarter = _quarter(Case.created_at)
    every = tuple(spec for ids in FOLLOW_UPS.values() for spec in ids)
    return s.execute(select(quarter, step_kind, func.count(distinct(Case.id))).select_from(Case)
                     .join(Task, Task.case_id == Case.id)
                     .where(_in_scope(scope), Task.spec_id.in_(every), Task.state == "completed")
                     .group_by(quarter, step_kind)).all()


BREAKDOWNS = (
    Breakdown("kind", CATEGORIES, _by_fact(CaseFact.category)),
    Breakdown("severity", tuple(str(n) for n in SEVERITIES), _by_fact(CaseFact.severity)),
    Breakdown("acted_by", ACTORS, _by_fact(CaseFact.acted_by)),
)

TALLIES = (
    Tally("injuries", _cases_where(CaseFact.injured.is_(True))),
    Tally("accident_reports", _cases_with_step(ACCIDENT_REPORT)),
    Tally("police_reports", _cases_with_step(POLICE_REPORT)),
    Tally("reminders", _reminders),
    Tally("escalations", _cases_where(Case.escalated.is_(True))),
    Tally("open_longer", _open_longer),
)

# Follow-up done: each kind of follow-up is a tally of its own (a case can have all three).
FOLLOW_UP_KEYS = tuple(FOLLOW_UPS)
follow_up_counts = _follow_ups


def first_conversation_days(s: Session, scope: Scope) -> list[int]:
    """Whole days from the report to the first conversation being recorded, one number per case."""
    first = (select(Task.case_id, func.min(Task.completed_at).label("done")).select_from(Case)
             .join(Task, Task.case_id == Case.id)
             .where(_in_scope(scope), Task.spec_id.in_(FIRST_CONVERSATION), Task.state == "completed")
             .group_by(Task.case_id).subquery())
    rows = s.execute(select(Case.created_at, first.c.done).join(first, first.c.case_id == Case.id)).all()
    return sorted(max(0, (_aware(done) - _aware(created)).days) for created, done in rows)


def step_timeliness(s: Session, scope: Scope) -> list[tuple[str, int, int]]:
    """For each step with a deadline: its title, how many were done on time and how many late."""
    on_time = func.sum(sql_case((Task.completed_at <= Task.due_at, 1), else_=0))
    rows = s.execute(select(Task.title, on_time, func.count()).select_from(Case).join(Task, Task.case_id == Case.id)
                     .where(_in_scope(scope), Task.state == "completed", Task.due_at.is_not(None))
                     .group_by(Task.title).order_by(Task.title)).all()
    return [(title, int(done or 0), int(n) - int(done or 0)) for title, done, n in rows]


def category_key(value) -> str:
    """The category a stored value counts under ('not_stated' for none)."""
    return NOT_STATED if value is None else str(value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
