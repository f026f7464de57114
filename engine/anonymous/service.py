"""The anonymous channel's commands: a writer sends a report and follows it with the code; handlers answer.

The case (`workflows/anonymous.bpmn`) holds only where the report stands and its deadlines: it starts with
no data of its own, and the writer is the actor `anonymous`, never a person. What was written lives
encrypted in `anonymous_message`; the keys to it in `anonymous_report` (engine/anonymous/sealing.py).
Every handler's read is access-checked and logged like any read of a case.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.anonymous import codes, sealing
from engine.anonymous.results import (
    ACT_KINDS,
    AWAITING_WRITER,
    CLOSED,
    FEEDBACK_GIVEN,
    IN_PROGRESS,
    MAX_TEXT,
    RECEIVED,
    Deadlines,
    DialogueMessage,
    HandlerView,
    WrittenReport,
    Submitted,
    WriterView,
)
from engine.anonymous.throttle import CodeThrottle
from engine.bpmn.expressions import date_add
from engine.cases import store
from engine.cases.commands import CaseCommands
from engine.cases.involvement import involvement
from engine.cases.loader import CaseLoader
from engine.cases.results import CaseInfo
from engine.clock import as_utc, frozen_at
from engine.config import Settings
from engine.errors import CodeNotRecognised, InvalidInput, NotAllowed, TooManyAttempts, UnknownUnit
from engine.models import AnonymousInstallation, AnonymousMessage, AnonymousReport, Case, Event, Task
from engine.privacy.retention import RetentionService
from engine.privacy.service import log_read
from engine.unit_of_work import UnitOfWork, UnitsOfWork

KIND = "anonymous"
WRITER = "anonymous"  # the actor of everything the writer does: no person, no account
HANDLER_ROLE = "anonymous_handler"
REPLY_MESSAGE = "writer_replied"
HANDLER_RELATION = f"task:{HANDLER_ROLE}"
# The harassment diagram's route for a signal from an anonymous source (K-H17, K-H18).
SIGNAL_KIND = "harassment"
SIGNAL_SOURCE = "anonymous_survey"
HARASSMENT_ACTS = ("offensive", "bullying", "sexual_harassment", "sexism")


class AnonymousService:
    """Reports without an account, followed with a key code; the handlers' side of the dialogue."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, commands: CaseCommands, retention: RetentionService,
                 settings: Settings):
        self._units = units
        self._loader = loader
        self._commands = commands
        self._retention = retention
        self._settings = settings
        self._cost = codes.KdfParameters(settings.anonymous_argon2_memory_kib, settings.anonymous_argon2_time_cost,
                                         settings.anonymous_argon2_parallelism)
        self.throttle = CodeThrottle(settings.anonymous_code_attempts, settings.anonymous_code_attempts_total,
                                     timedelta(seconds=settings.anonymous_code_window_seconds))
        self._salt: bytes | None = None

    # The writer's side.

    def submit(self, report: WrittenReport, now: datetime) -> Submitted:
        """Take in a report: start its case, store it encrypted, and return the code (shown once, kept nowhere)."""
        now = as_utc(now)
        report = _checked(report)
        key = self._handler_key()
        code = codes.new_code()
        keys = codes.derive(code, self._installation_salt(now), self._cost)
        report_key = sealing.new_report_key()
        body = sealing.encrypt(report_key, json.dumps(_report_dict(report)))

        def keep(uow: UnitOfWork, info: CaseInfo) -> None:
            uow.session.add(AnonymousReport(case_id=info.id, lookup=keys.lookup, sealed_key=key.seal(report_key),
                                            handler_key_id=key.key_id, writer_key=sealing.wrap(keys.writer_key, report_key),
                                            consent_named=False))
            uow.session.add(AnonymousMessage(case_id=info.id, at=now, author="report", body=body))

        unit = self._handlers_unit()
        info = self._commands.start_case(KIND, unit, {}, WRITER, now, on_started=keep)
        return Submitted(info.id, code)

    def writer_view(self, code: str | None, client: str, now: datetime) -> WriterView:
        """The report as its writer sees it; CodeNotRecognised (wrong or missing alike), TooManyAttempts."""
        now = as_utc(now)
        with self._units() as uow:
            row, report_key = self._open(uow.session, code, client, now)
            return self._writer_view(uow.session, row, report_key)

    def writer_reply(self, code: str | None, text: str, consent_named: bool, client: str, now: datetime) -> WriterView:
        """The writer answers (and may consent to a named case); a question waiting for it moves the case on."""
        now = as_utc(now)
        text = (text or "").strip()
        if not text and not consent_named:
            raise InvalidInput({"text": "skriv dit svar (write your answer)"})
        if len(text) > MAX_TEXT:
            raise InvalidInput({"text": f"højst {MAX_TEXT} tegn (at most {MAX_TEXT} characters)"})
        with self._units() as uow:
            s = uow.session
            row, report_key = self._open(s, code, client, now)
            case_id = row.case_id
            loaded = self._loader.load_case(uow, case_id)
            if loaded.case.status != "open":
                raise InvalidInput({"text": "henvendelsen er afsluttet (the report is closed)"})
            if text:
                s.add(AnonymousMessage(case_id=row.case_id, at=now, author="writer",
                                       body=sealing.encrypt(report_key, json.dumps({"text": text}))))
                store.record(uow, now, WRITER, "anonymous_message", row.case_id, side="writer")
            if consent_named and not row.consent_named:
                row.consent_named = True
                store.record(uow, now, WRITER, "anonymous_consent_named", row.case_id)
            with frozen_at(now):
                waiting = loaded.workflow.waiting_message_names()
            if REPLY_MESSAGE in waiting:
                # The payload stays empty: what the writer wrote is in the encrypted table, not in the case's data.
                self._commands.deliver_loaded(uow, loaded, REPLY_MESSAGE, {}, WRITER, now)
            else:
                store.save_case(uow, loaded.case, loaded.workflow, {}, now)
            uow.commit()
        with self._units() as uow:
            return self._writer_view(uow.session, uow.session.get(AnonymousReport, case_id), report_key)

    # The handlers' side.

    def handler_view(self, case_id: int, user: str, now: datetime) -> HandlerView:
        """A report as its handlers see it, the read logged; NotAllowed for anyone else (or no such report)."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            allowed = _is_handler(s, user, case_id)
            log_read(s, now, user, case_id, "anonymous", "full" if allowed else "none")
            uow.commit()
            if not allowed:
                raise NotAllowed("only the handlers of anonymous reports may read this")
            row = s.get(AnonymousReport, case_id)
            report_key = self._handler_key().unseal(row.sealed_key)
            view = self._writer_view(s, row, report_key)
            tasks = tuple((t.id, t.title) for t in s.scalars(select(Task).where(
                Task.case_id == case_id, Task.state == "open").order_by(Task.created_at)))
            signals = tuple(sorted(e.details.get("case") for e in s.scalars(select(Event).where(
                Event.case_id == case_id, Event.action.in_(("anonymous_signal", "anonymous_named_case"))))))
            return HandlerView(case_id, view.report, view.messages, view.stage, view.deadlines, view.consent_named,
                               tasks, signals)

    def handler_message(self, case_id: int, text: str, user: str, now: datetime) -> None:
        """A handler writes to the writer (an acknowledgement, a question, the feedback), encrypted as the rest."""
        now = as_utc(now)
        text = (text or "").strip()
        if not text:
            raise InvalidInput({"text": "skriv beskeden (write the message)"})
        if len(text) > MAX_TEXT:
            raise InvalidInput({"text": f"højst {MAX_TEXT} tegn (at most {MAX_TEXT} characters)"})
        with self._units() as uow:
            s = uow.session
            row = self._handled(uow, case_id, user, now)
            report_key = self._handler_key().unseal(row.sealed_key)
            s.add(AnonymousMessage(case_id=case_id, at=now, author="handler",
                                   body=sealing.encrypt(report_key, json.dumps({"text": text}))))
            store.record(uow, now, user, "anonymous_message", case_id, side="handler")
            uow.commit()

    def signal_leader(self, case_id: int, unit_id: str, act: str, summary: str, user: str, now: datetime) -> CaseInfo:
        """Turn a report into an anonymous signal for a unit's leader (K-H17, K-H18): the harassment diagram's
        route for anonymous sources, with the handler as the one who passes it on and nothing of the writer."""
        now = as_utc(now)
        data = {"reporter_id": user, "report_source": SIGNAL_SOURCE, "serious": False,
                "kind": act if act in HARASSMENT_ACTS else "offensive", "description": _summary(summary)}
        return self._start_from(case_id, unit_id, data, "anonymous_signal", user, now, named=False)

    def named_case(self, case_id: int, unit_id: str, employee_id: str, act: str, summary: str, user: str,
                   now: datetime) -> CaseInfo:
        """Turn a report into a named case for the employee it happened to, only with the writer's consent."""
        now = as_utc(now)
        data = {"reporter_id": employee_id, "employee_id": employee_id, "report_source": "affected",
                "serious": False, "kind": act if act in HARASSMENT_ACTS else "offensive",
                "description": _summary(summary)}
        return self._start_from(case_id, unit_id, data, "anonymous_named_case", user, now, named=True)

    def purge_closed_reports(self, now: datetime, user: str = "system") -> tuple[int, ...]:
        """Delete closed anonymous reports older than the retention period; the events say so, without content."""
        report = self._retention.purge_closed_cases(now, timedelta(days=self._settings.anonymous_retention_days),
                                                    dry_run=False, user=user, kinds=(KIND,))
        return report.case_ids

    def rotate_key(self, new_key: sealing.HandlerKey, now: datetime, user: str = "cli") -> int:
        """Re-seal every report's key to a new handlers' key pair; the caller writes the new key once this commits."""
        now = as_utc(now)
        old = self._handler_key()
        with self._units() as uow:
            s = uow.session
            rows = list(s.scalars(select(AnonymousReport)))
            for row in rows:
                row.sealed_key = new_key.seal(old.unseal(row.sealed_key))
                row.handler_key_id = new_key.key_id
            store.record(uow, now, user, "anonymous_key_rotated", None, reports=len(rows), key=new_key.key_id)
            uow.commit()
        return len(rows)

    # Inside.

    def _open(self, s: Session, code: str | None, client: str, now: datetime) -> tuple[AnonymousReport, bytes]:
        # A wrong code and a missing one cost the same derivation and the same query, and answer the same.
        if not self.throttle.allowed(client, now):
            raise TooManyAttempts("too many wrong codes: wait and try again")
        keys = codes.derive(code, self._installation_salt(now), self._cost)
        row = s.scalar(select(AnonymousReport).where(AnonymousReport.lookup == keys.lookup))
        if row is None or not keys.well_formed:
            self.throttle.failed(client, now)
            raise CodeNotRecognised("no report has this code")
        self.throttle.succeeded(client)
        return row, sealing.unwrap(keys.writer_key, row.writer_key)

    def _writer_view(self, s: Session, row: AnonymousReport, report_key: bytes) -> WriterView:
        report = WrittenReport(what="")
        messages = []
        for message in s.scalars(select(AnonymousMessage).where(AnonymousMessage.case_id == row.case_id)
                                 .order_by(AnonymousMessage.at, AnonymousMessage.id)):
            content = json.loads(sealing.decrypt(report_key, message.body))
            if message.author == "report":
                report = WrittenReport(**content)
            else:
                messages.append(DialogueMessage(message.author, message.at, content["text"]))
        case = s.get(Case, row.case_id)
        stage, deadlines = _where_it_stands(s, self._loader, case)
        return WriterView(report, tuple(messages), stage, deadlines, row.consent_named, case.status == "open")

    def _handled(self, uow: UnitOfWork, case_id: int, user: str, now: datetime) -> AnonymousReport:
        s = uow.session
        allowed = _is_handler(s, user, case_id)
        log_read(s, now, user, case_id, "anonymous", "full" if allowed else "none")
        if not allowed:
            uow.commit()  # the refused read stays logged
            raise NotAllowed("only the handlers of anonymous reports may do this")
        return s.get(AnonymousReport, case_id)

    def _start_from(self, case_id: int, unit_id: str, data: dict[str, Any], action: str, user: str, now: datetime,
                    named: bool) -> CaseInfo:
        with self._units() as uow:
            row = self._handled(uow, case_id, user, now)
            if named and not row.consent_named:
                raise NotAllowed("the writer has not consented to a named case")
            uow.commit()

        def link(uow: UnitOfWork, info: CaseInfo) -> None:
            # The report's timeline says a case was started from it; the new case says nothing of the report.
            store.record(uow, now, user, action, case_id, case=info.id, unit=unit_id)

        return self._commands.start_case(SIGNAL_KIND, unit_id, data, user, now, on_started=link)

    def _handler_key(self) -> sealing.HandlerKey:
        return sealing.load(self._settings.anonymous_key_file, self._settings.anonymous_private_key)

    def _installation_salt(self, now: datetime) -> bytes:
        if self._salt is None:
            with self._units() as uow:
                row = uow.session.get(AnonymousInstallation, 1)
                salt = bytes(row.salt) if row is not None else None
                if salt is None:
                    salt = secrets.token_bytes(16)
                    uow.session.add(AnonymousInstallation(id=1, salt=salt, created_at=now))
                    try:
                        uow.commit()
                    except IntegrityError:
                        salt = None  # another process wrote its salt first: that one is the installation's
            if salt is None:
                with self._units() as uow:
                    salt = bytes(uow.session.get(AnonymousInstallation, 1).salt)
            self._salt = salt
        return self._salt

    def _handlers_unit(self) -> str:
        with self._units() as uow:
            org = uow.org
            roots = sorted(unit for unit, parent in org.parents.items() if parent is None)
            held = [unit for unit in roots if org.holders.get((unit, HANDLER_ROLE))]
            chosen = held or roots
            if not chosen:
                raise UnknownUnit("the organisation has no top unit for anonymous reports (import it first)")
            return chosen[0]


def _is_handler(s: Session, user: str, case_id: int) -> bool:
    case = s.get(Case, case_id)
    if case is None or case.kind != KIND or case.status == "purged" or s.get(AnonymousReport, case_id) is None:
        return False
    return HANDLER_RELATION in involvement(s, user, case_id)


def _where_it_stands(s: Session, loader: CaseLoader, case: Case) -> tuple[str, Deadlines]:
    rows = list(s.scalars(select(Task).where(Task.case_id == case.id)))
    settings = loader.parsed(case.definition).settings
    acknowledged_at = next((t.completed_at for t in rows if t.spec_id == "Task_Acknowledge" and t.completed_at), None)
    acknowledge_by = datetime.fromisoformat(date_add(case.created_at, settings.get("ack_due", "P7D")))
    feedback_by = (datetime.fromisoformat(date_add(acknowledged_at, settings.get("feedback_due", "P3M")))
                   if acknowledged_at else None)
    open_specs = {t.spec_id for t in rows if t.state == "open"}
    if case.status != "open":
        stage = CLOSED
    elif "Task_Acknowledge" in open_specs:
        stage = RECEIVED
    elif "Task_Close" in open_specs:
        stage = FEEDBACK_GIVEN
    elif not open_specs:
        stage = AWAITING_WRITER
    else:
        stage = IN_PROGRESS
    return stage, Deadlines(case.created_at, acknowledge_by, acknowledged_at, feedback_by)


def _checked(report: WrittenReport) -> WrittenReport:
    cleaned = WrittenReport(*(value.strip() for value in (report.what, report.where, report.when, report.act, report.name)))
    errors = {}
    if not cleaned.what:
        errors["what"] = "beskriv, hvad der skete (describe what happened)"
    for name in ("what", "where", "when", "name"):
        if len(getattr(cleaned, name)) > MAX_TEXT:
            errors[name] = f"højst {MAX_TEXT} tegn (at most {MAX_TEXT} characters)"
    if cleaned.act not in ACT_KINDS:
        errors["act"] = "vælg, hvilken slags handling det var (choose the kind of act)"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _report_dict(report: WrittenReport) -> dict[str, str]:
    return {"what": report.what, "where": report.where, "when": report.when, "act": report.act, "name": report.name}


def _summary(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"summary": "skriv, hvad lederen skal vide (write what the leader needs to know)"})
    if len(text) > MAX_TEXT:
        raise InvalidInput({"summary": f"højst {MAX_TEXT} tegn (at most {MAX_TEXT} characters)"})
    return text

