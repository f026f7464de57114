"""Need to know in practice: reading a case through the access policy, logging every read, grants
by the case's leader, each person's own access log, and the retention purge (LAW-7, LAW-8)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from . import store
from .access import LEADER_RELATIONS, level_for, may_see
from .clock import as_utc
from .errors import CaseNotFound, NotAllowed, NotFound, TaskNotFound
from .models import (
    AccessGrant, AccessLog, Case, CaseParty, CaseStatistic, Event, Notice, Task, TaskCandidate, TaskDraft, Timer,
)
from .overview import OverviewFilters, OverviewPage, visible_cases
from .views import CaseInfo, EventInfo, TaskDetail

PURGED = "purged"


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
    case_id: int
    purpose: str
    level: str
    allowed: bool


@dataclass(frozen=True)
class AccessGrantInfo:
    """A person the case's leader let see the whole case: who, by whom and when."""

    person_id: str
    granted_by: str
    granted_at: datetime


@dataclass(frozen=True)
class PurgeReport:
    """What a retention purge removed (or, in a dry run, would remove)."""

    dry_run: bool
    cutoff: datetime
    case_ids: tuple[int, ...]


class PrivacyCommands:
    """Access-checked reads, grants, access logs and retention, mixed into the service."""

    def case_overview(self, person_id: str, now: datetime, filters: OverviewFilters | None = None) -> OverviewPage:
        """The cases a person handles or follows, cut by the access policy; every listed row is logged as a read."""
        now = as_utc(now)
        with self.uow() as uow:
            page = visible_cases(uow.session, person_id, now, filters or OverviewFilters())
            for row in page.rows:
                _log(uow.session, now, person_id, row.case_id, "overview", row.level)
            uow.commit()
        return page

    def case_access(self, case_id: int, viewer_id: str) -> str:
        """The viewer's access level for the case ('none', 'status', 'timeline', 'full'); no log row."""
        with self.uow() as uow:
            return _level(uow.session, self, case_id, viewer_id)

    def view_case(self, case_id: int, viewer_id: str, now: datetime, purpose: str = "page") -> CaseView:
        """Read a case as the viewer may see it, logging the read; NotAllowed when they may see nothing."""
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            level = _level(s, self, case_id, viewer_id)
            _log(s, now, viewer_id, case_id, purpose, level)
            uow.commit()
        if level == "none":
            raise NotAllowed("you may not see this case")
        info = self.case(case_id) if level == "full" else self._bare_case(case_id)
        timeline: tuple[EventInfo, ...] = ()
        if may_see(level, "timeline"):
            events = [e for e in self.events(case_id) if e.action not in ("notice",) or level == "full"]
            timeline = tuple(e if level == "full" else replace(e, actor=_role_of(e), details={}) for e in events)
        return CaseView(level, info, timeline)

    def view_task(self, task_id: str, viewer_id: str, now: datetime) -> TaskDetail:
        """Open a task's page: only its candidates, assignee or completer may; the read is logged."""
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            task = s.get(Task, task_id)
            if task is None:
                raise TaskNotFound(f"no task with id '{task_id}'")
            candidate = s.scalar(select(TaskCandidate.person_id).where(
                TaskCandidate.task_id == task_id, TaskCandidate.person_id == viewer_id)) is not None
            allowed = viewer_id in (task.assignee_id, task.completed_by) or (candidate and task.assignee_id is None)
            _log(s, now, viewer_id, task.case_id, "task", "task" if allowed else "none")
            uow.commit()
        if not allowed:
            raise NotAllowed("this task is not yours")
        return self.task_detail(task_id)

    def log_maintenance_read(self, case_id: int, who: str, purpose: str, now: datetime) -> None:
        """Log a read by a maintainer's tool (the command line), which needs no case access of its own."""
        with self.uow() as uow:
            _log(uow.session, as_utc(now), who, case_id, purpose, "maintenance")
            uow.commit()

    def grant_access(self, case_id: int, person_id: str, leader_id: str, now: datetime) -> None:
        """The case's leader lets one more person see the whole case (K-H7: whom the leader adds)."""
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            self._require_case_leader(case_id, leader_id, "only the case's leader can let others see it")
            self._org(s).require_people([person_id])
            s.merge(AccessGrant(case_id=case_id, person_id=person_id, granted_by=leader_id, granted_at=now))
            store.record(s, now, leader_id, "access_granted", case_id, person=person_id)
            uow.commit()

    def access_grants(self, case_id: int, leader_id: str) -> list[AccessGrantInfo]:
        """Whom the case's leader let see the whole case, oldest first; only the leader may ask."""
        self._require_case_leader(case_id, leader_id, "only the case's leader sees whom it was shared with")
        with self.uow() as uow:
            rows = uow.session.scalars(select(AccessGrant).where(AccessGrant.case_id == case_id)
                                       .order_by(AccessGrant.granted_at, AccessGrant.person_id))
            return [AccessGrantInfo(g.person_id, g.granted_by, as_utc(g.granted_at)) for g in rows]

    def withdraw_access(self, case_id: int, person_id: str, leader_id: str, now: datetime) -> None:
        """The case's leader takes back a grant: the person sees the case only as their own part in it allows."""
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            self._require_case_leader(case_id, leader_id, "only the case's leader can take access back")
            grant = s.get(AccessGrant, (case_id, person_id))
            if grant is None:
                raise NotFound(f"'{person_id}' has not been given access to case {case_id}")
            s.delete(grant)
            store.record(s, now, leader_id, "access_withdrawn", case_id, person=person_id)
            uow.commit()

    def _require_case_leader(self, case_id: int, person_id: str, message: str) -> None:
        if not self.involvement(person_id, case_id) & LEADER_RELATIONS:
            raise NotAllowed(message)

    def access_log_about(self, person_id: str, limit: int = 500) -> list[AccessLogEntry]:
        """Who read cases the person is a party to, and when (C-579/21), newest first."""
        with self.uow() as uow:
            s = uow.session
            cases = select(CaseParty.case_id).where(CaseParty.person_id == person_id)
            rows = s.scalars(select(AccessLog).where(AccessLog.case_id.in_(cases), AccessLog.allowed.is_(True))
                             .order_by(AccessLog.id.desc()).limit(limit))
            return [_entry(r) for r in rows]

    def access_log(self, since: datetime | None = None, limit: int | None = None,
                   newest_first: bool = False) -> list[AccessLogEntry]:
        """The access log, oldest first (an administrator's export) or the newest `limit` rows first."""
        with self.uow() as uow:
            query = select(AccessLog).order_by(AccessLog.id.desc() if newest_first else AccessLog.id).limit(limit)
            if since is not None:
                query = query.where(AccessLog.at >= as_utc(since))
            return [_entry(r) for r in uow.session.scalars(query)]

    def purge_closed_cases(self, now: datetime, older_than: timedelta, dry_run: bool = True,
                           user: str = "system") -> PurgeReport:
        """Remove personal data from cases closed before now - older_than, keeping anonymised counts."""
        now = as_utc(now)
        cutoff = now - older_than
        with self.uow() as uow:
            s = uow.session
            ids = tuple(s.scalars(select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff)
                                  .order_by(Case.id)))
            if dry_run or not ids:
                return PurgeReport(True if dry_run else False, cutoff, ids)
            for case in s.scalars(select(Case).where(Case.id.in_(ids))):
                _count(s, case)
            for model in (TaskDraft, TaskCandidate, Timer, Notice, AccessGrant, CaseParty):
                s.execute(delete(model).where(model.case_id.in_(ids)))
            # Steps stay without their people, so the figures still count what was done on time;
            # case_fact rows stay as they are (they never held a name).
            s.execute(update(Task).where(Task.case_id.in_(ids)).values(assignee_id=None, completed_by=None))
            s.execute(delete(AccessLog).where(AccessLog.case_id.in_(ids)))
            reminders = [row.id for row in s.execute(select(Event.id, Event.details).where(
                Event.case_id.in_(ids), Event.action == "notice")) if (row.details or {}).get("notice") == "reminder"]
            s.execute(update(Event).where(Event.case_id.in_(ids)).values(actor="-", details={}))
            if reminders:  # the kind of a reminder is all that is kept of it, for the figures
                s.execute(update(Event).where(Event.id.in_(reminders)).values(details={"notice": "reminder"}))
            s.execute(update(Case).where(Case.id.in_(ids)).values(
                status=PURGED, state="{}", parties={}, created_by="-", version=Case.version + 1))
            store.record(s, now, user, "retention_purge", None, cases=len(ids), cutoff=cutoff.isoformat())
            uow.commit()
        return PurgeReport(False, cutoff, ids)

    def case_statistics(self) -> list[tuple[str, str, int, int]]:
        """Anonymised counts (kind, unit, year, cases) of live and purged cases, for the committees."""
        with self.uow() as uow:
            s = uow.session
            counts: dict[tuple[str, str, int], int] = {}
            for kind, unit, created in s.execute(select(Case.kind, Case.unit_id, Case.created_at)
                                                 .where(Case.status != PURGED)):
                key = (kind, unit, created.year)
                counts[key] = counts.get(key, 0) + 1
            for row in s.scalars(select(CaseStatistic)):
                key = (row.kind, row.unit_id, row.year)
                counts[key] = counts.get(key, 0) + row.cases
            return sorted((k[0], k[1], k[2], n) for k, n in counts.items())

    def _bare_case(self, case_id: int) -> CaseInfo:
        info = self.case(case_id)
        return replace(info, data={}, parties={})


def _level(s: Session, service, case_id: int, viewer_id: str) -> str:
    case = s.get(Case, case_id)
    if case is None or case.status == PURGED:
        raise CaseNotFound(f"no case with id {case_id}")
    granted = s.get(AccessGrant, (case_id, viewer_id)) is not None
    return level_for(case.kind, case.confidential, service.involvement(viewer_id, case_id), granted)


def _log(s: Session, now: datetime, person_id: str, case_id: int, purpose: str, level: str) -> None:
    s.execute(insert(AccessLog).values(at=now, person_id=person_id, case_id=case_id, purpose=purpose,
                                       level=level, allowed=level != "none"))


def _entry(row: AccessLog) -> AccessLogEntry:
    return AccessLogEntry(row.at, row.person_id, row.case_id, row.purpose, row.level, row.allowed)


def _role_of(event: EventInfo) -> str:
    # Without full access the timeline says which role acted, never who.
    if event.actor == "system":
        return "system"
    return event.details.get("role") or "deltager"


def _count(s: Session, case: Case) -> None:
    key = dict(kind=case.kind, unit_id=case.unit_id, year=case.created_at.year, serious=case.serious,
               escalated=case.escalated)
    row = s.scalar(select(CaseStatistic).filter_by(**key))
    if row is None:
        s.add(CaseStatistic(**key, cases=1))
    else:
        row.cases += 1
    s.flush()
