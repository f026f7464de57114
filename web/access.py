"""Who may see what, for now: people involved in a case see its page; the accused only their own tasks.

The full need-to-know policy comes later; every check the views make goes through this module.
"""
from __future__ import annotations

from flask import abort

from engine import PersonInfo, TaskInfo

from .helpers import service

_ACCUSED_ONLY = {"party:accused", "task:accused"}


def case_involvement(person: PersonInfo, case_id: int) -> set[str]:
    """How the person is involved in the case (raises CaseNotFound for an unknown id)."""
    return service().involvement(person.id, case_id)


def may_see_case(person: PersonInfo, involvement: set[str]) -> bool:
    """Admins and involved people see a case page; the accused alone does not see the case's data."""
    return person.is_admin or bool(involvement - _ACCUSED_ONLY)


def require_case(person: PersonInfo, case_id: int) -> set[str]:
    """The person's involvement in the case, or 404 (unknown case) / 403 (not theirs)."""
    involvement = case_involvement(person, case_id)
    if not may_see_case(person, involvement):
        abort(403)
    return involvement


def require_task(person: PersonInfo, task_id: str) -> TaskInfo:
    """The task if the person is its assignee, a candidate or the one who did it; else 403 (404 if unknown)."""
    task = service().task(task_id)
    if person.id not in {task.assignee_id, task.completed_by, *task.candidates}:
        abort(403)
    return task
