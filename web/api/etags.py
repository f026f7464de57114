"""ETags of tasks and cases, and the If-Match check a write makes (412 when the client's copy is stale)."""
from __future__ import annotations

import hashlib

from flask import request
from flask_babel import gettext as _

from engine import TaskInfo

from .problems import ApiProblem


def task_etag(task: TaskInfo) -> str:
    """Changes whenever what a client acts on changes: the task's state, assignee, due time or completer."""
    parts = "|".join(str(p) for p in (task.id, task.state, task.assignee_id, task.due_at, task.completed_by))
    return '"t-' + hashlib.sha256(parts.encode()).hexdigest()[:20] + '"'


def case_etag(case_id: int, version: int) -> str:
    """The case's row version: every save of the case changes it."""
    return f'"c-{case_id}-{version}"'


def require_match(current: str) -> None:
    """412 when the request's If-Match names another version than `current` (no If-Match: no check)."""
    wanted = request.headers.get("If-Match")
    if wanted is None:
        return
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    if "*" not in tags and current not in tags:
        raise ApiProblem(412, _("Changed since you read it"), _("The task changed since you read it (its ETag is "
                                                                "another). Read it again and decide anew."))
