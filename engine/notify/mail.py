"""Telling people: a notice in their web inbox and an e-mail through an outbox.

E-mails carry no case content: the kind of task and a link, nothing more. They are written to the
outbox in the command's own transaction and sent after it commits; without SMTP settings they stay
in the outbox, where an administrator can read them.
"""
from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select, update

from engine.config import Settings
from engine.models import Notice, OutboxMail
from engine.unit_of_work import UnitOfWork

SUBJECTS = {
    "assigned": "vaern: Du har fået en opgave",
    "handed_over": "vaern: Du har overtaget en opgave",
    "reminder": "vaern: Påmindelse om en opgave",
    "overdue": "vaern: En opgave er overskredet",
    "escalated": "vaern: En sag er eskaleret til dig",
}
INTRO = {
    "assigned": "Du har fået en ny opgave i vaern:",
    "handed_over": "En opgave i vaern er givet videre til dig, fordi den, der havde den, er fratrådt:",
    "reminder": "Husk denne opgave i vaern, som snart skal være løst:",
    "overdue": "Denne opgave i vaern er ikke løst til tiden:",
    "escalated": "En sag i vaern er eskaleret, og du skal følge op:",
}
MAX_ATTEMPTS = 5
_NOTICE, _MAIL = Notice.__table__, OutboxMail.__table__


def enqueue(uow: UnitOfWork, settings: Settings, now: datetime, people: list[str], kind: str, case_id: int,
            task_id: str | None, title: str) -> None:
    """A web notice for each person, and an e-mail in the outbox for each who has an address (written at commit)."""
    if not people:
        return
    org = uow.org
    uow.queued.add(_NOTICE, [{"person_id": p, "kind": kind, "case_id": case_id, "task_id": task_id,
                             "title": title, "created_at": now} for p in people])
    link = f"{settings.base_url}/tasks/{task_id}" if task_id else f"{settings.base_url}/cases/{case_id}"
    mails = []
    for person_id in sorted(set(people)):
        email = org.emails.get(person_id)
        if not email:
            continue
        body = (f"{INTRO[kind]}\n\n    {title}\n\nLog ind og se den her:\n{link}\n\n"
                "Af hensyn til fortroligheden står der ikke mere om sagen i denne e-mail.\n"
                "(For confidentiality this e-mail says nothing more about the case.)\n")
        mails.append({"person_id": person_id, "case_id": case_id, "recipient": email, "subject": SUBJECTS[kind],
                      "body": body, "created_at": now, "attempts": 0})
    if mails:
        uow.queued.add(_MAIL, mails)


def send_pending(session_factory, settings: Settings, now: datetime, limit: int = 200) -> int:
    """Send unsent outbox mail over SMTP; returns how many went. Does nothing without SMTP settings.

    A mail that fails by itself (an address the server refuses, one that cannot even be written into a
    header) is recorded with its error and tried again at the next sweep, up to MAX_ATTEMPTS times, while
    the mail after it goes on. Only a lost connection stops the batch; the rest then wait for the next sweep.
    """
    if not settings.smtp_host:
        return 0
    sent = 0
    with session_factory() as s:
        pending = list(s.scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None),
                                                          OutboxMail.attempts < MAX_ATTEMPTS)
                                 .order_by(OutboxMail.id).limit(limit)))
        if not pending:
            return 0
        done: set[int] = set()
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password or "")
                for mail in pending:
                    error = _send_one(smtp, settings, mail)
                    values = {"attempts": mail.attempts + 1, "last_error": error}
                    if error is None:
                        values["sent_at"] = now
                        sent += 1
                    # Mark each mail as it goes, so a crash half-way never sends one twice.
                    s.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(**values))
                    s.commit()
                    done.add(mail.id)
        except (OSError, smtplib.SMTPException) as exc:
            ids = [m.id for m in pending if m.id not in done]
            s.execute(update(OutboxMail).where(OutboxMail.id.in_(ids), OutboxMail.sent_at.is_(None))
                      .values(last_error=f"SMTP: {exc}"))
            s.commit()
    return sent


# Failures that belong to one mail; anything else (a dropped connection) belongs to the batch.
_ONE_MAIL_FAILS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                   smtplib.SMTPNotSupportedError)


def _send_one(smtp: smtplib.SMTP, settings: Settings, mail: OutboxMail) -> str | None:
    try:
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message.set_content(mail.body)
    except (ValueError, TypeError) as exc:  # e.g. a line break in an address from before addresses were checked
        return f"the mail cannot be written: {exc}"
    try:
        smtp.send_message(message)
    except _ONE_MAIL_FAILS as exc:
        return str(exc)
    return None
