"""What the anonymous channel returns: the code once, the writer's view, the handlers' view."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The kinds of act a writer may name (the harassment diagram's kinds, and violence, and something else).
ACT_KINDS = ("offensive", "bullying", "sexual_harassment", "sexism", "violence", "other")
# The most a writer or a handler may write in one field (the engine's form limit).
MAX_TEXT = 20_000

# Where a report stands, as both sides read it: from the diagram's open steps, never from its text.
RECEIVED = "received"          # waiting for the handlers to acknowledge it
IN_PROGRESS = "in_progress"    # acknowledged; the handlers assess it
AWAITING_WRITER = "awaiting_writer"  # the handlers asked the writer a question
FEEDBACK_GIVEN = "feedback_given"    # the feedback is given; the report is being closed
CLOSED = "closed"


@dataclass(frozen=True)
class WrittenReport:
    """What the writer wrote when sending the report."""

    what: str
    where: str = ""
    when: str = ""
    act: str = "other"
    name: str = ""  # only if the writer chose to give one


@dataclass(frozen=True)
class Submitted:
    """A report taken in: the case it started and the code, which is shown once and kept nowhere."""

    case_id: int
    code: str


@dataclass(frozen=True)
class DialogueMessage:
    """One message of the dialogue: which side wrote it, when, and its text."""

    author: str  # "writer" or "handler"
    at: datetime
    text: str


@dataclass(frozen=True)
class Deadlines:
    """The deadlines the handlers are bound by (LAW-10), as far as they are known yet."""

    received_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    feedback_by: datetime | None


@dataclass(frozen=True)
class WriterView:
    """What the writer sees with the code: the report, the dialogue, where it stands and the deadlines."""

    report: WrittenReport
    messages: tuple[DialogueMessage, ...]
    stage: str
    deadlines: Deadlines
    consent_named: bool
    may_reply: bool


@dataclass(frozen=True)
class HandlerView:
    """What a handler sees of a report: the same as the writer, plus the case and its open tasks."""

    case_id: int
    report: WrittenReport
    messages: tuple[DialogueMessage, ...]
    stage: str
    deadlines: Deadlines
    consent_named: bool
    open_tasks: tuple[tuple[str, str], ...]  # (task id, title)
    signals: tuple[int, ...]  # cases started from the report (an anonymous signal, a named case)
