"""Drafts: a task's form saved half done, for the person who typed it only, until the task is done."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.clock import as_utc
from engine.errors import NotAllowed, TaskNotFound, TaskNotOpen
from engine.models import Task, TaskCandidate, TaskDraft
from engine.unit_of_work import UnitsOfWork

# A draft holds what the form's own fields were typed as, text only, and never more than a form takes.
MAX_DRAFT_VALUE = 20_000


def _open_task_of(s: Session, task_id: str, person_id: str) -> Task:
    task = s.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"no task with id '{task_id}'")
    if task.state != "open":
        raise TaskNotOpen(f"task '{task_id}' is {task.state}")
    candidate = s.scalar(select(TaskCandidate.person_id).where(
        TaskCandidate.task_id == task_id, TaskCandidate.person_id == person_id)) is not None
    if person_id != task.assignee_id and not (candidate and task.assignee_id is None):
        raise NotAllowed("this task is not yours")
    return task


class DraftService:
    """Save, read and discard drafts."""

    def __init__(self, units: UnitsOfWork):
        self._units = units

    def save_draft(self, task_id: str, person_id: str, values: dict[str, Any], now: datetime) -> None:
        """Keep what the person has typed into an open task of theirs, replacing their earlier draft."""
        kept = {str(k): str(v)[:MAX_DRAFT_VALUE] for k, v in values.items() if v not in (None, "")}
        with self._units() as uow:
            s = uow.session
            task = _open_task_of(s, task_id, person_id)
            draft = s.get(TaskDraft, (task_id, person_id))
            if draft is None:
                s.add(TaskDraft(task_id=task_id, person_id=person_id, case_id=task.case_id, values=kept,
                                saved_at=as_utc(now)))
            else:
                draft.values, draft.saved_at = kept, as_utc(now)
            uow.commit()

    def draft(self, task_id: str, person_id: str) -> tuple[dict[str, str], datetime] | None:
        """The person's own draft of a task (values, when saved), or None; nobody else's."""
        with self._units() as uow:
            draft = uow.session.get(TaskDraft, (task_id, person_id))
            return (dict(draft.values or {}), draft.saved_at) if draft else None

    def discard_drafts(self, task_id: str) -> None:
        """Forget every draft of a task (it is done, or the person threw theirs away)."""
        with self._units() as uow:
            uow.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
            uow.commit()

    def discard_draft(self, task_id: str, person_id: str) -> None:
        """Forget one person's draft of a task."""
        with self._units() as uow:
            uow.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id,
                                                        TaskDraft.person_id == person_id))
            uow.commit()
