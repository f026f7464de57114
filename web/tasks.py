"""A task's page: its instructions and form; complete, claim and release."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import InvalidInput, TaskNotOpen

from .access import require_task
from .errors import error_page
from .helpers import localized, me, now, service, split_documentation

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _render(task_id: str, values=None, errors=None, status: int = 200):
    detail = service().task_detail(task_id)
    tags, instructions = split_documentation(detail.documentation)
    shown = dict(detail.values)
    if values is not None:
        shown = {f.id: values.get(f.id) for f in detail.fields}
    errors = {key: localized(message) for key, message in (errors or {}).items()}
    people = service().people() if any(f.id.endswith("_id") for f in detail.fields) else []
    case = service().case(detail.task.case_id)
    return render_template("task.html", detail=detail, task=detail.task, case=case, tags=tags,
                           instructions=instructions, values=shown, errors=errors, people=people), status


def _not_open(task) -> tuple:
    if task.state == "completed":
        return error_page(409, _("The task is already done"),
                          _("The task has already been completed by %(who)s. Nothing was changed.",
                            who=_who(task.completed_by)))
    return error_page(409, _("The task is no longer open"), _("The task was closed by the case's course. "
                                                               "Nothing was changed."))


def _who(person_id):
    from .helpers import names

    return names().get(person_id, person_id) if person_id else "?"


@bp.route("/<task_id>")
def show(task_id: str):
    """The task's instructions and its form."""
    task = require_task(me(), task_id)
    if task.state != "open":
        return _not_open(task)
    try:
        return _render(task_id)
    except TaskNotOpen:
        return _not_open(service().task(task_id))


@bp.route("/<task_id>", methods=["POST"])
def complete(task_id: str):
    """Complete the task with the submitted form; a bad field comes back with its message (400)."""
    person = me()
    task = require_task(person, task_id)
    if task.state != "open":
        return _not_open(task)
    try:
        fields = service().task_detail(task_id).fields
        values = {f.id: request.form.get(f.id) for f in fields}
        case = service().complete_task(task_id, values, person.id, now())
    except TaskNotOpen:
        return _not_open(service().task(task_id))
    except InvalidInput as exc:
        return _render(task_id, request.form, exc.errors, 400)
    if case.status == "closed":
        flash(_("The task is done, and case %(id)s is now closed.", id=case.id), "success")
    else:
        flash(_("The task is done. Thank you."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<task_id>/claim", methods=["POST"])
def claim(task_id: str):
    """Take a task that several people could do, so it is mine alone."""
    require_task(me(), task_id)
    service().claim(task_id, me().id, now())
    flash(_("The task is now yours."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/<task_id>/release", methods=["POST"])
def release(task_id: str):
    """Give back a task I claimed, so every candidate sees it again."""
    require_task(me(), task_id)
    service().release(task_id, me().id, now())
    flash(_("The task is released: everyone who can do it sees it again."), "info")
    return redirect(url_for("inbox.index"))
