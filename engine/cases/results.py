"""Plain results of the service layer: what callers see of cases, tasks and events."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.bpmn.forms import FormField


@dataclass(frozen=True)
class DefinitionInfo:
    """A deployed diagram version."""

    id: int
    kind: str
    version: int
    name: str
    content_hash: str
    deployed_at: datetime
    deployed_by: str
    created: bool = True


@dataclass(frozen=True)
class TaskInfo:
    """A user task of a case, as the task rows project it."""

    id: str
    case_id: int
    spec_id: str
    title: str
    role: str
    unit_id: str
    state: str
    assignee_id: str | None
    candidates: tuple[str, ...]
    due_at: datetime | None
    created_at: datetime | None
    completed_at: datetime | None = None
    completed_by: str | None = None


@dataclass(frozen=True)
class InboxItem:
    """One line in a person's inbox."""

    task_id: str
    case_id: int
    case_kind: str
    unit_id: str
    unit_name: str
    title: str
    role: str
    assignee_id: str | None
    due_at: datetime | None
    overdue: bool
    escalated: bool
    serious: bool


@dataclass(frozen=True)
class TaskDetail:
    """An open task with what its page needs: instructions, form fields, current values and the case's
    kind and marks (what an inbox line shows, never the case's contents)."""

    task: TaskInfo
    documentation: str | None
    fields: tuple[FormField, ...]
    values: dict[str, Any]
    case_kind: str
    serious: bool
    escalated: bool
    # What the diagram shows the person on this task (a hearing's material): (variable, value) pairs.
    material: tuple[tuple[str, Any], ...] = ()
    severity: int | None = None
    # A committee's annual task: the figures and answers from below, as frozen when it was created.
    frozen: Any = None


@dataclass(frozen=True)
class CaseInfo:
    """A case's status and flags."""

    id: int
    kind: str
    definition_version: int
    unit_id: str
    status: str
    serious: bool
    confidential: bool
    escalated: bool
    parties: dict[str, Any]
    version: int
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventInfo:
    """One row of the event log."""

    id: int
    at: datetime
    actor: str
    action: str
    case_id: int | None
    task_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class PersonInfo:
    """A person, the roles they hold (unit, role) and what their account allows."""

    id: str
    name: str
    email: str | None
    unit_id: str | None
    roles: tuple[tuple[str, str], ...]
    is_admin: bool = False
    is_process_owner: bool = False
    has_account: bool = False
    session_generation: int = 0  # a session made in an older generation has been ended
    active: bool = True  # False once the directory says the person left: no log-in, no new tasks


@dataclass(frozen=True)
class UnitInfo:
    """An organisational unit."""

    id: str
    name: str
    kind: str
    parent_id: str | None


@dataclass(frozen=True)
class CaseDiagram:
    """What a case page needs to draw where a case stands."""

    xml: str
    version: int
    completed: frozenset[str]
    current: frozenset[str]
    overdue: set[str]
