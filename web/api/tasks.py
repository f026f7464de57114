"""My tasks through the API: list, read with the form as a schema, claim, release and complete."""
from __future__ import annotations

from datetime import timedelta

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from engine import NotFound, TaskDetail, TaskInfo

from ..answers import case_labels
from ..helpers import now, service, split_documentation
from ..people import person_problem
from ..wording import plain_text
from . import schemas
from .auth import caller
from .etags import require_match, task_etag
from .form_schema import form_schema
from .paging import decode, encode
from .problems import ApiProblem, forbidden

blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1/tasks", description="My tasks")

SOON = timedelta(days=7)
_SORTS = {
    "urgency": lambda i: (not i.overdue, not i.escalated, not i.serious, i.due_at is None, i.due_at or 0, i.case_id),
    "due": lambda i: (i.due_at is None, i.due_at or 0, i.case_id),
    "newest": lambda i: (-i.case_id, i.due_at is None, i.due_at or 0),
}
# The accused is told nothing of the case beyond their own task: no escalation or seriousness mark either.
_UNMARKED_ROLES = {"accused"}


def _item(i) -> dict:
    hide = i.role in _UNMARKED_ROLES
    return {"task_id": i.task_id, "case_id": i.case_id, "case_kind": i.case_kind, "unit_id": i.unit_id,
            "unit_name": i.unit_name, "title": i.title, "role": i.role, "assignee_id": i.assignee_id,
            "due_at": i.due_at, "overdue": i.overdue, "escalated": i.escalated and not hide,
            "serious": i.serious and not hide}


@blp.route("")
class TaskList(MethodView):
    @blp.arguments(schemas.TaskListQuery, location="query")
    @blp.response(200, schemas.TaskPage)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, args):
        """My open tasks, most urgent first (or by due date, or newest case): filtered and paged by cursor."""
        me = caller("tasks:read")
        moment = now()
        items = service().inbox(me.person_id, moment)
        due, sort, limit = args.get("due"), args["sort"], args["limit"]
        if due == "overdue":
            items = [i for i in items if i.overdue]
        elif due == "soon":
            items = [i for i in items if i.overdue or (i.due_at is not None and i.due_at <= moment + SOON)]
        items = sorted(items, key=_SORTS[sort])
        position = decode(args.get("cursor"), {"due": due, "sort": sort}) or {"offset": 0}
        offset = position.get("offset")
        offset = offset if isinstance(offset, int) and offset >= 0 else 0
        page = items[offset:offset + limit]
        more = offset + limit < len(items)
        return {"items": [_item(i) for i in page], "total": len(items),
                "next_cursor": encode({"due": due, "sort": sort, "offset": offset + limit}) if more else None}


def _instructions(detail: TaskDetail) -> str:
    """The instructions as the task page words them: settings in words, requirement tags left out."""
    _tags, written = split_documentation(detail.documentation)
    if not written:
        return ""
    fields = service().case_fields(detail.task.case_id)
    return plain_text(written, service().case_settings(detail.task.case_id), case_labels(fields))


def _task_json(detail: TaskDetail) -> dict:
    task = detail.task
    hide = task.role in _UNMARKED_ROLES
    return {"id": task.id, "case_id": task.case_id, "case_kind": detail.case_kind, "spec_id": task.spec_id,
            "title": task.title, "role": task.role, "state": task.state, "assignee_id": task.assignee_id,
            "candidates": list(task.candidates), "due_at": task.due_at, "created_at": task.created_at,
            "completed_at": task.completed_at, "serious": detail.serious and not hide,
            "escalated": detail.escalated and not hide, "documentation": _instructions(detail),
            "form": form_schema(detail.fields), "values": _jsonable(detail.values),
            "material": _jsonable(dict(detail.material or ()))}


def _jsonable(values: dict) -> dict:
    return {k: v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
            for k, v in values.items()}


def _own_task(task_id: str) -> TaskInfo | None:
    """The task's projection when the caller is one of its people (for the ETag check); else None, saying nothing."""
    try:
        info = service().task(task_id)
    except NotFound:
        return None
    person = g.api_caller.person_id
    return info if person in info.candidates or person in (info.assignee_id, info.completed_by) else None


@blp.route("/<task_id>")
class TaskResource(MethodView):
    @blp.response(200, schemas.Task, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(409, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, task_id):
        """A task I may open, with its form's fields as a JSON schema typed from the diagram; the read is logged."""
        me = caller("tasks:read")
        detail = service().view_task(task_id, me.person_id, now())
        return _task_json(detail), 200, {"ETag": task_etag(detail.task)}


def _claimed_elsewhere(info: TaskInfo | None, person: str) -> bool:
    return info is not None and info.state == "open" and info.assignee_id not in (None, person)


@blp.route("/<task_id>/claim")
class Claim(MethodView):
    @blp.response(200, schemas.Task, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(409, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(412, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, task_id):
        """Take a task several people could do, so it is mine alone; 409 when someone else has it."""
        me = caller("tasks:write")
        info = _own_task(task_id)
        if _claimed_elsewhere(info, me.person_id):
            raise ApiProblem(409, _("Someone else has the task"), _("Another person claimed the task. Nothing was "
                                                                    "changed."))
        detail = service().view_task(task_id, me.person_id, now())  # the access check and its log row
        require_match(task_etag(detail.task))
        if detail.task.assignee_id != me.person_id:
            service().claim(task_id, me.person_id, now())
        # The task as the claimer now sees it: a logged read, as the web's task page after a claim.
        detail = service().view_task(task_id, me.person_id, now())
        return _task_json(detail), 200, {"ETag": task_etag(detail.task)}


@blp.route("/<task_id>/release")
class Release(MethodView):
    @blp.response(200, schemas.TaskState, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(409, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(412, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, task_id):
        """Give back a task I claimed, so every candidate sees it again; 409 when it is not mine to give back."""
        me = caller("tasks:write")
        info = _own_task(task_id)
        if _claimed_elsewhere(info, me.person_id):
            raise forbidden()  # the same answer the web gives: the task is someone else's now
        detail = service().view_task(task_id, me.person_id, now())
        require_match(task_etag(detail.task))
        if detail.task.assignee_id != me.person_id:
            raise ApiProblem(409, _("The task is not claimed by you"), _("Only the person who claimed a task can "
                                                                         "release it. Nothing was changed."))
        info = service().release(task_id, me.person_id, now())
        # Only where the task stands (no content: the web sends the person back to the inbox after a release).
        return {"id": info.id, "case_id": info.case_id, "state": info.state, "assignee_id": info.assignee_id,
                "candidates": list(info.candidates)}, 200, {"ETag": task_etag(info)}


@blp.route("/<task_id>/complete")
class Complete(MethodView):
    @blp.arguments(schemas.CompleteBody)
    @blp.response(200, schemas.Completed)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(409, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(412, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(422, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, body, task_id):
        """Complete the task with its form's answers, checked exactly as the web form checks them; errors per field."""
        me = caller("tasks:write")
        info = _own_task(task_id)
        if info is not None:
            require_match(task_etag(info))
        values = {k: v for k, v in body["values"].items()}
        sent = service().submit_task(task_id, me.person_id, values, now())
        if sent.people:
            raise ApiProblem(400, _("Invalid input"), _("Some person fields name no one person; nothing was saved."),
                             {f: person_problem(c) for f, c in sent.people.items()})
        if sent.errors:
            raise ApiProblem(400, _("Invalid input"), _("Some fields were not accepted; nothing was saved."),
                             sent.errors)
        if sent.workflow_error:
            raise ApiProblem(422, _("The case could not go on"), _(
                "The case could not go on with these answers, so nothing was saved. Check the dates and numbers "
                "you gave, and try again. (%(why)s)", why=sent.workflow_error))
        return {"task_id": task_id, "case_id": sent.case.id, "case_status": sent.case.status}
