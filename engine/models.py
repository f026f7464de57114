"""Database tables. The serialized workflow in `Case.state` is the truth; task and timer rows are
indexes rebuilt from it on every save."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every vaern table."""


class Definition(Base):
    """One deployed version of a diagram, stored by content hash."""

    __tablename__ = "definition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(300))
    xml: Mapped[str] = mapped_column(Text, deferred=True)  # read only when a version is parsed or downloaded
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str] = mapped_column(String(100))
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_definition_kind_version"),)


class Unit(Base):
    """An organisational unit: department, hospital/area or region."""

    __tablename__ = "unit"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50), default="department")
    parent_id: Mapped[Optional[str]] = mapped_column(ForeignKey("unit.id"), nullable=True, index=True)


class Person(Base):
    """Someone who works in the region and may hold roles or be a party to a case."""

    __tablename__ = "person"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[Optional[str]] = mapped_column(String(300), nullable=True)
    unit_id: Mapped[Optional[str]] = mapped_column(ForeignKey("unit.id"), nullable=True)
    # A person who left the organisation is kept (cases name them) but can no longer log in or be given tasks.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ExternalIdentity(Base):
    """A person's identity at a single sign-on provider: matched once on a claim, then known by (issuer, subject)."""

    __tablename__ = "external_identity"
    issuer: Mapped[str] = mapped_column(String(300), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class OrgRevision(Base):
    """One row: a token that changes with every write to the organisation (see org_snapshot)."""

    __tablename__ = "org_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[str] = mapped_column(String(32))


class Account(Base):
    """A person's local login: a password hash and what they may administer."""

    __tablename__ = "account"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_process_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every session cookie carries the generation it was made in: raising it ends all of them at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RoleHolder(Base):
    """A person holding a role (leader, tr, amr, hr, lmu …) for a unit."""

    __tablename__ = "role_holder"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(50))
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    __table_args__ = (UniqueConstraint("unit_id", "role", "person_id", name="uq_role_holder"),)


class Case(Base):
    """One running or closed case: its diagram version, unit, flags and serialized workflow."""

    __tablename__ = "case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    # Loaded with the case in one query (its XML stays deferred): every command needs its version and hash.
    definition: Mapped[Definition] = relationship(lazy="joined", viewonly=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    parties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
    # A unit's figures for a year: without it SQLite reads every case of the kind (0.5 s a department at
    # 100,000 cases, 37 ms with it), and starting the annual round freezes one unit's figures per committee.
    __table_args__ = (Index("ix_case_unit_created", "unit_id", "created_at"),)


class Task(Base):
    """Projection of one user task of a case: who may do it, who does it, by when."""

    __tablename__ = "task"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    spec_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[str] = mapped_column(String(100))
    assignee_id: Mapped[Optional[str]] = mapped_column(String(100), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
    completed_by: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)


class TaskFigures(Base):
    """What a committee's annual task shows, frozen when the task was created: figures and the answers from below.

    Keyed by the task, beside the workflow state rather than in it: in the task's data it would be copied
    into every task after it (a round of 20 LMUs' state grew from 377 to 721 KiB). The figures hold only
    published cells, never a count under the threshold.
    """

    __tablename__ = "task_figures"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TaskCandidate(Base):
    """Who may take an open task: one row per task and person, so inboxes are an index look-up."""

    __tablename__ = "task_candidate"
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    __table_args__ = (Index("ix_task_candidate_person", "person_id"),)


class Notice(Base):
    """A message for a person's web inbox: a task assigned, due soon, overdue or escalated."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[Optional[str]] = mapped_column(String(36), nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)


class OutboxMail(Base):
    """An e-mail waiting to be sent (or kept for an administrator when no SMTP server is set up)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100))
    # The case the mail is about, so a retention purge removes it with the case (no foreign key: the mail
    # may outlive a case only until it is purged, and an old mail must never block a purge).
    case_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)


class CaseParty(Base):
    """Projection of a case's parties (employee, accused, reporter …), so "cases about me" is a look-up."""

    __tablename__ = "case_party"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(50), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100), index=True)


class AccessGrant(Base):
    """A person the case's leader explicitly let see a (confidential) case."""

    __tablename__ = "access_grant"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessConsent(Base):
    """Someone the affected employee agrees may be let into their confidential case (K-H7)."""

    __tablename__ = "access_consent"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    given_by: Mapped[str] = mapped_column(String(100))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessLog(Base):
    """One read of a case (page, task, export, API): who, when, what, and whether it was allowed; or one view of
    a list of cases ("Mine anmeldelser"): then `case_id` is empty and `case_ids` names the cases shown."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    person_id: Mapped[str] = mapped_column(String(100), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(Integer, index=True, nullable=True)
    case_ids: Mapped[Optional[list[int]]] = mapped_column(JSON, nullable=True)
    purpose: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(20))
    allowed: Mapped[bool] = mapped_column(Boolean)


class CaseStatistic(Base):
    """Anonymised counts kept when closed cases are purged (LAW-8): kind, unit, year, flags."""

    __tablename__ = "case_statistic"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    serious: Mapped[bool] = mapped_column(Boolean)
    escalated: Mapped[bool] = mapped_column(Boolean)
    cases: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("kind", "unit_id", "year", "serious", "escalated", name="uq_case_statistic"),)


class Timer(Base):
    """Projection of one waiting timer of a case, with its due time."""

    __tablename__ = "timer"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    spec_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Event(Base):
    """Append-only audit log: who did what, when, on which case and task."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"), nullable=True, index=True)
    task_id: Mapped[Optional[str]] = mapped_column(String(36), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TaskDraft(Base):
    """A form half filled in, kept for the one person who typed it until the task is done."""

    __tablename__ = "task_draft"
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseFact(Base):
    """What the committees' figures count of a case, and nothing else: no names, no free text, no dates.

    A projection of the case's data, written with its saves; a retention purge keeps it (LAW-8).
    """

    __tablename__ = "case_fact"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[Optional[str]] = mapped_column(String(50), nullable=True)
    severity: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    acted_by: Mapped[Optional[str]] = mapped_column(String(50), nullable=True)
    injured: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginCounter(Base):
    """Log-in attempts in the current window for one person (whatever name they were typed by), one unknown
    name, or one client address (`key`), counted in the database so that every web process counts the same."""

    __tablename__ = "login_counter"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(Integer)


class ModelDraft(Base):
    """A process owner's unfinished edit of a diagram kind in the browser, seen by that person only.

    `base_hash` is the content hash of the deployed version the edit started from; `content_hash` is of `xml`.
    """

    __tablename__ = "model_draft"
    __table_args__ = (UniqueConstraint("kind", "person_id", name="uq_model_draft_kind_person"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[str] = mapped_column(String(100), index=True)
    xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    base_hash: Mapped[str] = mapped_column(String(64))
    base_version: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiClient(Base):
    """A system allowed to call the API with client credentials; it acts as `person_id` within `scopes`.

    The secret is kept only as its SHA-256 (it is random and long, so a slow hash adds nothing).
    """

    __tablename__ = "api_client"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)


class ApiToken(Base):
    """A bearer token: a person's own (personal access token) or one issued to a client; stored hashed."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(24))
    person_id: Mapped[str] = mapped_column(String(100), index=True)
    client_id: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)


class WebhookSubscription(Base):
    """A client's subscription to events (task created, completed, case escalated, closed) at a URL."""

    __tablename__ = "webhook_subscription"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    # The shared signing secret: the receiver checks the HMAC with it, so it is kept as given, not hashed.
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(Base):
    """One event to one subscription: pending until delivered, retried with backoff, failed after the last try."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
    last_status: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    last_error: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)


class WebhookCursor(Base):
    """How far the event log has been read into webhook deliveries (one row): the log is the outbox."""

    __tablename__ = "webhook_cursor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)


class AnonymousInstallation(Base):
    """One row: this installation's salt for deriving keys from anonymous writers' codes (not a secret)."""

    __tablename__ = "anonymous_installation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnonymousReport(Base):
    """An anonymous report's keys, beside its case: nothing here names or describes the writer.

    `lookup` is a hash of the key derived from the writer's code (never the code or the key); `sealed_key` is
    the report's own key sealed to the handlers' public key `handler_key_id`; `writer_key` is the same key
    encrypted with the key derived from the code, so the writer can read the dialogue.
    """

    __tablename__ = "anonymous_report"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    lookup: Mapped[str] = mapped_column(String(64), unique=True)
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary(200))
    handler_key_id: Mapped[str] = mapped_column(String(32))
    writer_key: Mapped[bytes] = mapped_column(LargeBinary(200))
    consent_named: Mapped[bool] = mapped_column(Boolean, default=False)


class AnonymousMessage(Base):
    """One message of an anonymous report's dialogue, encrypted with the report's key; `author` is a side, not a person."""

    __tablename__ = "anonymous_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(20))  # "writer" or "handler"
    body: Mapped[bytes] = mapped_column(LargeBinary())


class DraftApproval(Base):
    """A process owner's request that another process owner approve their draft, and that approval.

    The approval holds for the draft's bytes when it was given (`content_hash`); saving the draft again
    needs a new one. Only used when the setting VAERN_DEPLOY_NEEDS_APPROVAL is on.
    """

    __tablename__ = "draft_approval"
    __table_args__ = (UniqueConstraint("kind", "author_id", name="uq_draft_approval_kind_author"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[str] = mapped_column(String(100), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)
