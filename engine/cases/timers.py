"""Firing due timers: claim a case, let its workflow see the time, save. Exactly once per timer.

Two schedulers may run against one database. On PostgreSQL a case is claimed with
`FOR UPDATE SKIP LOCKED`, so the other scheduler passes it by; on SQLite (one writer at a time) the
claim takes the write lock and then looks again whether the timer is still due. Either way a timer
that fired is saved once, and the version check on save stays as the last guard.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.workflow import WorkflowError, completed_since_of
from engine.cases import store
from engine.cases.loader import CaseLoader
from engine.cases.stepping import Stepper
from engine.cases.store import SYSTEM
from engine.clock import as_utc, frozen_at
from engine.errors import ConcurrentUpdate
from engine.models import Case, Event, Timer
from engine.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


class TimerService:
    """Fires due timers and says when the next one falls due."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, stepper: Stepper):
        self._units = units
        self._loader = loader
        self._stepper = stepper

    def fire_due_timers(self, now: datetime, limit: int = 1000) -> int:
        """Fire every timer due at `now`, one transaction per case; returns how many cases moved on."""
        now = as_utc(now)
        with self._units() as uow:
            # Walk the due-time index only: the cost follows the due timers, not the open cases.
            due = uow.session.scalars(select(Timer.case_id).where(Timer.due_at <= now)
                                      .order_by(Timer.due_at).limit(limit * 4))
            candidates = list(dict.fromkeys(due))[:limit]
        moved = 0
        for case_id in candidates:
            try:
                moved += self._fire_case(case_id, now)
            except ConcurrentUpdate:
                continue  # another scheduler or a person saved the case first; its timers are theirs
            except WorkflowError as exc:
                self._record_timer_failure(case_id, now, exc)
        return moved

    def _fire_case(self, case_id: int, now: datetime) -> int:
        with self._units() as uow:
            claimed = _claim(uow.session, case_id, now)
            if claimed is None:
                return 0
            loaded = self._loader.with_workflow(uow, claimed)
            # A timer row is what brought the case here: rewrite all its rows rather than only the
            # difference, so a row that does not match the workflow cannot bring it back every sweep.
            uow.loaded.pop(case_id, None)
            with frozen_at(now):
                before = loaded.workflow.completed_ids()
                loaded.workflow.advance()
                fired = [t for t in completed_since_of(loaded.workflow.tasks(), before) if t.is_timer]
                for timer in fired:
                    store.record(uow, now, SYSTEM, "timer_fired", case_id, timer.id, spec=timer.spec_id)
                self._stepper.after_step(uow, loaded, before, SYSTEM, now)
            uow.commit()
        return 1

    def _record_timer_failure(self, case_id: int, now: datetime, exc: Exception) -> None:
        # The case cannot move on by itself; say so where people look, and keep firing the others.
        log.error("timer of case %s could not fire: %s", case_id, exc)
        with self._units() as uow:
            last = uow.session.scalar(select(Event).where(Event.case_id == case_id).order_by(Event.id.desc()).limit(1))
            if last is not None and last.action == "timer_failed" and last.details.get("error") == str(exc):
                return  # already said; the sweep retries every minute without repeating itself
            store.record(uow, now, SYSTEM, "timer_failed", case_id, None, error=str(exc))
            uow.commit()

    def next_due_time(self, after: datetime | None = None) -> datetime | None:
        """When the earliest pending timer (after `after`, if given) falls due, or None."""
        with self._units() as uow:
            query = select(func.min(Timer.due_at))
            if after is not None:
                query = query.where(Timer.due_at > as_utc(after))
            return uow.session.scalar(query)


def _claim(s: Session, case_id: int, now: datetime) -> Case | None:
    """The case, locked for this transaction, if it is open and still has a due timer; None if someone else has it."""
    case = store.lock_case(s, case_id, skip_locked=True)
    if case is None or case.status != "open":
        return None
    # Re-read after the lock: a scheduler that held it may just have fired these timers.
    due = s.scalar(select(func.count()).select_from(Timer).where(Timer.case_id == case_id, Timer.due_at <= now))
    return case if due else None
