"""Retention (LAW-8): closed cases past the period lose their personal data, every copy of it; counts remain.

A purge deletes or blanks every row that names a person or holds what they wrote (the workflow state,
drafts, a committee task's frozen answers, who did each task, notices, outbox mail, grants, consents, parties, access log, event details) in
one transaction; what the committees' figures count stays, without names.
Deleting a row does not wipe its bytes: SQLite keeps old pages in its write-ahead log and in free pages of
the file. So after the purge commits, the file is rebuilt and the log emptied (db.scrub), and a test reads
the raw files afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from engine.cases import store
from engine.cases.loader import CaseLoader
from engine.clock import as_utc
from engine.db import scrub
from engine.models import (
    AccessConsent,
    AccessGrant,
    AccessLog,
    AnonymousMessage,
    AnonymousReport,
    Case,
    CaseParty,
    CaseStatistic,
    Event,
    Notice,
    OutboxMail,
    Task,
    TaskCandidate,
    TaskDraft,
    TaskFigures,
    Timer,
)
from engine.unit_of_work import UnitsOfWork

PURGED = "purged"


@dataclass(frozen=True)
class PurgeReport:
    """What a retention purge removed (or, in a dry run, would remove)."""

    dry_run: bool
    cutoff: datetime
    case_ids: tuple[int, ...]
    # SQLite: the file was rebuilt and its write-ahead log emptied, so no copy of the data is left in them.
    # False on PostgreSQL (which keeps removed rows in its files until it reuses the space) or when another
    # process held the database open so the log could not be emptied.
    files_scrubbed: bool = False


class RetentionService:
    """The retention purge and the anonymised counts it keeps."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, engine: Engine):
        self._units = units
        self._loader = loader
        self._engine = engine

    def purge_closed_cases(self, now: datetime, older_than: timedelta, dry_run: bool = True,
                           user: str = "system", kinds: tuple[str, ...] | None = None) -> PurgeReport:
        """Remove personal data from cases closed before now - older_than (of `kinds`, if given), keeping counts."""
        now = as_utc(now)
        cutoff = now - older_than
        with self._units() as uow:
            s = uow.session
            query = select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff)
            if kinds is not None:
                query = query.where(Case.kind.in_(kinds))
            ids = tuple(s.scalars(query.order_by(Case.id)))
            if dry_run or not ids:
                return PurgeReport(True if dry_run else False, cutoff, ids)
            reporters = set()
            for case in s.scalars(select(Case).where(Case.id.in_(ids))):
                _count(s, case)
                reporters.add(case.created_by)
            _forget_in_list_views(s, reporters, set(ids))
            anonymous = tuple(s.scalars(select(AnonymousReport.case_id).where(AnonymousReport.case_id.in_(ids))))
            # An anonymous report goes whole: its keys, its text and every message of its dialogue.
            for model in (AnonymousReport, AnonymousMessage, TaskDraft, TaskCandidate, TaskFigures, Timer, Notice,
                          OutboxMail, AccessGrant, AccessConsent, CaseParty):
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
            for case_id in anonymous:  # the deletion is in the case's own timeline, without a word of the content
                store.record(uow, now, user, "anonymous_report_deleted", case_id)
            store.record(uow, now, user, "retention_purge", None, cases=len(ids), cutoff=cutoff.isoformat())
            uow.commit()
        for case_id in ids:
            self._loader.forget(case_id)  # nor a copy in this process's memory
        return PurgeReport(False, cutoff, ids, scrub(self._engine))

    def case_statistics(self) -> list[tuple[str, str, int, int]]:
        """Anonymised counts (kind, unit, year, cases) of live and purged cases, for the committees."""
        with self._units() as uow:
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



def _forget_in_list_views(s: Session, people: set[str], case_ids: set[int]) -> None:
    # A view of "Mine anmeldelser" names the cases it showed: the purged ones leave those lists too.
    for row in s.scalars(select(AccessLog).where(AccessLog.case_id.is_(None), AccessLog.person_id.in_(people))):
        kept = [c for c in row.case_ids or [] if c not in case_ids]
        if not kept:
            s.delete(row)
        elif kept != row.case_ids:
            row.case_ids = kept
    s.flush()


def _count(s: Session, case: Case) -> None:
    key = dict(kind=case.kind, unit_id=case.unit_id, year=case.created_at.year, serious=case.serious,
               escalated=case.escalated)
    row = s.scalar(select(CaseStatistic).filter_by(**key))
    if row is None:
        s.add(CaseStatistic(**key, cases=1))
    else:
        row.cases += 1
    s.flush()
