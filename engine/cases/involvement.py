"""How a person is involved in a case: the relations the access policy and the message policy read."""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.cases import store
from engine.models import Notice, Task, TaskCandidate


def involvement(s: Session, person_id: str, case_id: int) -> set[str]:
    """'reporter', 'party:<role>', 'task:<role>', 'notice:escalated' for this person in this case (may be empty)."""
    case = store.get_case(s, case_id)
    found = {f"party:{key[:-3]}" for key, value in (case.parties or {}).items() if value == person_id}
    if case.created_by == person_id:
        found.add("reporter")
    rows = s.execute(select(Task.role).where(Task.case_id == case_id, or_(
        Task.assignee_id == person_id, Task.completed_by == person_id,
        exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.person_id == person_id))))
    found.update(f"task:{role}" for (role,) in rows)
    # Told of an escalation (GEN-1: TR and AMR follow whether it leads to action) without a task.
    if s.scalar(select(Notice.id).where(Notice.case_id == case_id, Notice.person_id == person_id,
                                        Notice.kind == "escalated").limit(1)) is not None:
        found.add("notice:escalated")
    return found
