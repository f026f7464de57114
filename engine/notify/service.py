"""Reading notices (a person's web inbox messages) and the e-mail outbox (for administrators)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from engine.clock import as_utc
from engine.config import Settings
from engine.models import Notice, OutboxMail
from engine.notify import mail
from engine.unit_of_work import UnitsOfWork


@dataclass(frozen=True)
class NoticeInfo:
    """A notice in a person's web inbox."""

    id: int
    kind: str
    case_id: int
    task_id: str | None
    title: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class OutboxInfo:
    """An e-mail in the outbox, sent or not: to whom and how its delivery went, never what it says.

    Subject and body stay in the outbox table for sending: a task's title tells which part a person has
    in a case (a hearing goes to the accused), which is no administrator's business.
    """

    id: int
    person_id: str
    recipient: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


class NoticeService:
    """A person's notices, the outbox's delivery status, and sending what waits in it."""

    def __init__(self, units: UnitsOfWork, settings: Settings):
        self._units = units
        self.settings = settings

    def notices(self, person_id: str, unread_only: bool = False, limit: int = 50) -> list[NoticeInfo]:
        """A person's notices, newest first."""
        with self._units() as uow:
            query = select(Notice).where(Notice.person_id == person_id).order_by(Notice.id.desc()).limit(limit)
            if unread_only:
                query = query.where(Notice.read_at.is_(None))
            return [NoticeInfo(n.id, n.kind, n.case_id, n.task_id, n.title, n.created_at, n.read_at)
                    for n in uow.session.scalars(query)]

    def unread_notice_count(self, person_id: str) -> int:
        """How many notices the person has not read."""
        with self._units() as uow:
            return uow.session.scalar(select(func.count()).select_from(Notice).where(
                Notice.person_id == person_id, Notice.read_at.is_(None)))

    def mark_notices_read(self, person_id: str, now: datetime) -> None:
        """Mark all of a person's notices read."""
        with self._units() as uow:
            uow.session.execute(update(Notice).where(Notice.person_id == person_id, Notice.read_at.is_(None))
                                .values(read_at=as_utc(now)))
            uow.commit()

    def outbox(self, unsent_only: bool = False, limit: int = 200) -> list[OutboxInfo]:
        """The outbox's delivery status, newest first, for administrators: recipients and attempts, no contents."""
        with self._units() as uow:
            query = select(OutboxMail.id, OutboxMail.person_id, OutboxMail.recipient, OutboxMail.created_at,
                           OutboxMail.sent_at, OutboxMail.attempts, OutboxMail.last_error) \
                .order_by(OutboxMail.id.desc()).limit(limit)
            if unsent_only:
                query = query.where(OutboxMail.sent_at.is_(None))
            return [OutboxInfo(*row) for row in uow.session.execute(query)]

    def send_mail(self, now: datetime) -> int:
        """Send what waits in the outbox over SMTP, if SMTP is set up; returns how many were sent."""
        return mail.send_pending(self._units.sessions, self.settings, as_utc(now))
