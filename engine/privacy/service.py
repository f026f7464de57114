"""Need to know in practice: reading a case through the access policy, logging every read, grants
by the case's leader, each person's own access log, and the retention purge (LAW-7, LAW-8)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.cases.loader import CaseLoader
from engine.cases.queries import case_info, task_detail
from engine.cases.results import CaseInfo, EventInfo, TaskDetail
from engine.clock import as_utc
from engine.errors import NotAllowed
from engine.models import AccessLog, Case, CaseParty, Event, Task, TaskCandidate
from engine.privacy.grants import viewer_level
from engine.privacy.overview import OverviewFilters, OverviewPage, visible_cases
from engine.privacy.policy import level_for, may_see
from engine.privacy.retention import PURGED
from engine.unit_of_work import UnitOfWork, UnitsOfWork


@dataclass(frozen=True)
class CaseView:
    """What one viewer may see of a case: the level, and the case and timeline cut to it."""

    level: str
    case: CaseInfo
    timeline: tuple[EventInfo, ...]


@dataclass(frozen=True)
class AccessLogEntry:
    """One read of a case."""

    at: datetime
    person_id: str
    case_id: int | None  # None for a view of a list of cases: then `case_ids` are the cases it showed
    purpose: str
    level: str
    allowed: bool
    case_ids: tuple[int, ...] = ()


class PrivacyService:
    """Reads of cases and tasks through the access policy, each logged in the same transaction; the access logs."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader):
        self._units = units
        self._loader = loader

    def case_overview(self, person_id: str, now: datetime, filters: OverviewFilters | None = None) -> OverviewPage:
        """The cases a person handles or follows, cut by the access policy; every listed row is logged as a read."""
        now = as_utc(now)
        with self._units() as uow:
            page = visible_cases(uow.session, person_id, now, filters or OverviewFilters())
            for row in page.rows:
                log_read(uow.session, now, person_id, row.case_id, "overview", row.level)
            uow.commit()
        return page

    def case_access(self, case_id: int, viewer_id: str) -> str:
        """The viewer's access level for the case ('none', 'status', 'timeline', 'full'); no log row."""
        with self._units() as uow:
            return _level(uow.session, case_id, viewer_id)

    def view_case(self, case_id: int, viewer_id: str, now: datetime, purpose: str = "page") -> CaseView:
        """Read a case as the viewer may see it, logging the read; NotAllowed when they may see nothing.

        A case that does not exist (or was purged) is refused and logged exactly like one the viewer may not
        see, so that no answer tells whether a case number exists.
        """
        now = as_utc(now)
        with self._units() as uow:
            view = read_case(uow, self._loader, case_id, viewer_id, now, purpose)
            uow.commit()
        if view is None:
            raise NotAllowed("you may not see this case")
        return view

    def view_task(self, task_id: str, viewer_id: str, now: datetime) -> TaskDetail:
        """Open a task's page: only its candidates, assignee or completer may; the read is logged."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            case_id, allowed = may_open_task(s, task_id, viewer_id)
            if case_id is None:
                # The same refusal as for someone else's task: a task page never says whether a task exists.
                raise NotAllowed("this task is not yours")
            log_read(s, now, viewer_id, case_id, "task", "task" if allowed else "none")
            if not allowed:
                uow.commit()
                raise NotAllowed("this task is not yours")
            try:
                detail = task_detail(uow, self._loader, task_id)
            finally:
                uow.commit()  # the read is logged whether or not the task is still open
            return detail

    def log_maintenance_read(self, case_id: int, who: str, purpose: str, now: datetime) -> None:
        """Log a read by a maintainer's tool (the command line), which needs no case access of its own."""
        with self._units() as uow:
            log_read(uow.session, as_utc(now), who, case_id, purpose, "maintenance")
            uow.commit()

    def access_log_about(self, person_id: str, limit: int = 500) -> list[AccessLogEntry]:
        """Who read cases the person is a party to, and when (C-579/21), newest first.

        Only cases the person may know of: the accused, whom the policy gives nothing of a case, learns
        nothing of it here either, not even that it exists (K-H6, LAW-6).
        """
        with self._units() as uow:
            s = uow.session
            # One query for every case the person is a party to, and the policy over their parts in it: a
            # party's level does not depend on tasks or grants except to raise it, so this is the whole rule.
            parts: dict[int, tuple[str, bool, set[str]]] = {}
            for case_id, kind, confidential, role in s.execute(
                    select(Case.id, Case.kind, Case.confidential, CaseParty.role)
                    .join(CaseParty, CaseParty.case_id == Case.id)
                    .where(CaseParty.person_id == person_id, Case.status != PURGED)):
                parts.setdefault(case_id, (kind, confidential, set()))[2].add(f"party:{role}")
            known = [case_id for case_id, (kind, confidential, relations) in parts.items()
                     if level_for(kind, confidential, relations, False) != "none"]
            if not known:
                return []
            rows = s.scalars(select(AccessLog).where(AccessLog.case_id.in_(known), AccessLog.allowed.is_(True))
                             .order_by(AccessLog.id.desc()).limit(limit))
            return [_entry(r) for r in rows]

    def access_log(self, since: datetime | None = None, limit: int | None = None,
                   newest_first: bool = False) -> list[AccessLogEntry]:
        """The access log, oldest first (an administrator's export) or the newest `limit` rows first."""
        with self._units() as uow:
            query = select(AccessLog).order_by(AccessLog.id.desc() if newest_first else AccessLog.id).limit(limit)
            if since is not None:
                query = query.where(AccessLog.at >= as_utc(since))
            return [_entry(r) for r in uow.session.scalars(query)]



def read_case(uow: UnitOfWork, loader: CaseLoader, case_id: int, viewer_id: str, now: datetime,
              purpose: str, relations: set[str] | None = None) -> CaseView | None:
    """The case cut to what the viewer may see, with the read logged (uncommitted); None when they may see nothing.

    `relations`: the viewer's involvement in the case when the caller has read it already.
    """
    s = uow.session
    level = _level(s, case_id, viewer_id, relations)
    log_read(s, now, viewer_id, case_id, purpose, level)
    if level == "none":
        return None
    info = case_info(loader, s, case_id, with_data=level == "full")
    if level != "full":
        info = replace(info, data={}, parties={})
    timeline: tuple[EventInfo, ...] = ()
    if may_see(level, "timeline"):
        events = [EventInfo(e.id, e.at, e.actor, e.action, e.case_id, e.task_id, dict(e.details or {}))
                  for e in s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id).limit(1000))
                  if e.action != "notice" or level == "full"]
        timeline = tuple(e if level == "full" else replace(e, actor=_role_of(e, viewer_id), details=_plain_details(e))
                         for e in events)
    return CaseView(level, info, timeline)


def may_open_task(s: Session, task_id: str, viewer_id: str) -> tuple[int | None, bool]:
    """(the task's case, or None when there is no such task; whether the viewer may open it): its candidates while
    nobody has claimed it, its assignee and its completer may."""
    task = s.get(Task, task_id)
    if task is None:
        return None, False
    candidate = s.scalar(select(TaskCandidate.person_id).where(
        TaskCandidate.task_id == task_id, TaskCandidate.person_id == viewer_id)) is not None
    return task.case_id, viewer_id in (task.assignee_id, task.completed_by) or (candidate and task.assignee_id is None)


def _level(s: Session, case_id: int, viewer_id: str, relations: set[str] | None = None) -> str:
    case = s.get(Case, case_id)
    if case is None or case.status == PURGED:
        return "none"  # nothing to see, and the same answer as a case one may not see
    return viewer_level(s, case, viewer_id, relations)


def log_read(s: Session, now: datetime, person_id: str, case_id: int, purpose: str, level: str) -> None:
    """Write one access-log row for a read, in the reading command's transaction."""
    s.execute(insert(AccessLog).values(at=now, person_id=person_id, case_id=case_id, purpose=purpose,
                                       level=level, allowed=level != "none"))


def _entry(row: AccessLog) -> AccessLogEntry:
    return AccessLogEntry(row.at, row.person_id, row.case_id, row.purpose, row.level, row.allowed,
                          tuple(row.case_ids or ()))


def _role_of(event: EventInfo, viewer_id: str) -> str:
    # Without full access the timeline says which role acted, never who; what the reader did is theirs.
    if event.actor == "system":
        return "system"
    if event.actor == viewer_id:
        return "self"
    return event.details.get("role") or "deltager"


def _plain_details(event: EventInfo) -> dict[str, str]:
    # Which of the diagram's messages arrived ("the next management level was asked for help") is a step,
    # not content; everything else in the details is for those with full access.
    if event.action == "message_delivered" and isinstance(event.details.get("message"), str):
        return {"message": event.details["message"]}
    return {}
