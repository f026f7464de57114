"""The cases a person handles or follows, as one list: filtered, sorted by the next deadline, paged, and cut by the
access policy, so that nobody finds a case in a list they could not open (the accused never does)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from engine.models import AccessConsent, AccessGrant, Case, Task, TaskCandidate
from engine.privacy.policy import level_for, may_see

PURGED = "purged"
SORTS = ("due", "newest", "oldest")


@dataclass(frozen=True)
class OverviewRow:
    """One case in the overview: what a list line shows, never the case's contents."""

    case_id: int
    kind: str
    unit_id: str
    status: str
    serious: bool
    escalated: bool
    confidential: bool
    created_at: datetime
    next_due: datetime | None
    overdue: bool
    level: str


@dataclass(frozen=True)
class OverviewFilters:
    """What the overview is narrowed to; None means any."""

    status: str | None = "open"
    kind: str | None = None
    unit_id: str | None = None
    serious: bool | None = None
    overdue: bool | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class OverviewPage:
    """One page of the overview, how many cases match in all, and the units and kinds to filter by."""

    rows: tuple[OverviewRow, ...]
    total: int
    page: int
    pages: int
    units: tuple[str, ...]
    kinds: tuple[str, ...]


def _involved(s: Session, person_id: str) -> dict[int, set[str]]:
    # The task relations of every case the person has, had or could take a task in: one query.
    rows = s.execute(select(Task.case_id, Task.role).where(or_(
        Task.assignee_id == person_id, Task.completed_by == person_id,
        exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.person_id == person_id))))
    found: dict[int, set[str]] = {}
    for case_id, role in rows:
        found.setdefault(case_id, set()).add(f"task:{role}")
    return found


def visible_cases(s: Session, person_id: str, now: datetime, filters: OverviewFilters) -> OverviewPage:
    """The overview's page for this person: cases they may see at least the steps of, filtered and sorted."""
    relations = _involved(s, person_id)
    granted = set(s.scalars(select(AccessGrant.case_id).where(AccessGrant.person_id == person_id)))
    # In a confidential case a grant counts only with the affected's consent (grants.viewer_level).
    consented = set(s.scalars(select(AccessConsent.case_id).where(AccessConsent.person_id == person_id)))
    ids = set(relations) | granted
    if not ids:
        return OverviewPage((), 0, 1, 1, (), ())
    columns = (Case.id, Case.kind, Case.unit_id, Case.status, Case.serious, Case.escalated, Case.confidential,
               Case.parties, Case.created_by, Case.created_at)
    cases = s.execute(select(*columns).where(Case.id.in_(ids), Case.status != PURGED)).all()
    due = dict(s.execute(select(Task.case_id, func.min(Task.due_at))
                         .where(Task.case_id.in_(ids), Task.state == "open").group_by(Task.case_id)).all())
    seen: list[OverviewRow] = []
    for c in cases:
        mine = set(relations.get(c.id, ()))
        mine |= {f"party:{key[:-3]}" for key, value in (c.parties or {}).items() if value == person_id}
        if c.created_by == person_id:
            mine.add("reporter")
        level = level_for(c.kind, c.confidential, mine, c.id in granted, c.id in consented)
        if not may_see(level, "timeline"):
            continue
        next_due = due.get(c.id)
        seen.append(OverviewRow(c.id, c.kind, c.unit_id, c.status, c.serious, c.escalated, c.confidential,
                                c.created_at, next_due, bool(next_due and next_due < now), level))
    units = tuple(sorted({r.unit_id for r in seen}))
    kinds = tuple(sorted({r.kind for r in seen}))
    chosen = [r for r in seen if _matches(r, filters)]
    chosen.sort(key=_sort_key(filters.sort))
    per_page = max(1, filters.per_page)
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(1, filters.page), pages)
    return OverviewPage(tuple(chosen[(page - 1) * per_page:page * per_page]), len(chosen), page, pages, units, kinds)


def _matches(row: OverviewRow, f: OverviewFilters) -> bool:
    return ((f.status is None or row.status == f.status) and (f.kind is None or row.kind == f.kind)
            and (f.unit_id is None or row.unit_id == f.unit_id) and (f.serious is None or row.serious == f.serious)
            and (f.overdue is None or row.overdue == f.overdue))


def _sort_key(sort: str):
    if sort == "newest":
        return lambda r: (-r.created_at.timestamp(), -r.case_id)
    if sort == "oldest":
        return lambda r: (r.created_at.timestamp(), r.case_id)
    # The next deadline first; cases without one after those with one, newest first among them.
    return lambda r: (r.next_due is None, r.next_due.timestamp() if r.next_due else 0, -r.case_id)
