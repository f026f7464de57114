"""A task's page: its instructions and form; complete, claim and release. Only for the task's own people."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import NotAllowed, TaskDetail, TaskNotOpen

from .access import at_least, view_case, view_task
from .answers import case_labels, shown
from .cases import leader_actions, timeline_rows
from .errors import error_page
from .figures import ANSWERS_HEADINGS, frozen_body
from .helpers import localized, maintains_diagrams, me, now, service, split_documentation
from .people import person_problem, person_text
from .summary import case_summary
from .wording import plain_text

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

# The leader's leader steps in after an escalation and has the whole case: their task shows its history.
HISTORY_ROLES = {"leaders_leader"}
# Whoever leads the case can mark it serious or register a later injury from any of their tasks.
LEADER_ROLES = {"leader", "leaders_leader"}


def _render(detail: TaskDetail, values=None, errors=None, status: int = 200, conflict: str | None = None,
            closed: bool = False):
    task = detail.task
    draft = service().draft(task.id, me().id)
    if values is None and draft is not None:
        values = draft[0]  # the person's own half-done form, as they typed it
    tags, written = split_documentation(detail.documentation)
    fields = service().case_fields(task.case_id)
    instructions = plain_text(written, service().case_settings(task.case_id), case_labels(fields))
    # Requirement tags and the text as written are for whoever maintains the diagram, not for its role-holders.
    diagram_view = {"tags": tags, "element": task.spec_id, "written": written} if maintains_diagrams() else None
    shown = dict(detail.values)
    if values is not None:
        shown = {f.id: values.get(f.id) for f in detail.fields}
    errors = {key: localized(message) for key, message in (errors or {}).items()}
    people = {f.id: person_text(shown.get(f.id)) for f in detail.fields if f.id.endswith(("_id", "_ids"))}
    summary, history = _case_at_a_glance(task, fields)
    actions = None
    if task.role in LEADER_ROLES and task.state == "open":
        case = SimpleNamespace(id=task.case_id, status="open", serious=detail.serious,
                               data={"severity": detail.severity})
        actions = leader_actions(case, url_for("tasks.show", task_id=task.id))
    return render_template("task.html", detail=detail, task=task, summary=summary, draft=draft, diagram_view=diagram_view, history=history,
                           committee=_committee(task.id, detail.frozen),
                           instructions=instructions, values=shown, errors=errors, people=people,
                           material=material_rows(detail.material, fields), actions=actions,
                           conflict=conflict, closed=closed), status


def _committee(task_id: str, frozen) -> SimpleNamespace | None:
    """A committee's annual task: its frozen figures as the figures page draws them, and the answers from below."""
    if frozen is None:
        return None
    heading = ANSWERS_HEADINGS.get(frozen.answers_from) or _("What the committees below answered")
    variant = me().id if me().id in frozen.variants else None
    report = frozen.report_for(me().id)
    return SimpleNamespace(frozen=frozen, report=report, body=frozen_body(task_id, variant, report), heading=heading)


def _case_at_a_glance(task, fields) -> tuple[dict | None, list | None]:
    """The summary block at the level the reader may see the case (logged), and for the leader's leader the
    case's history; the accused, who may see nothing of the case, gets neither."""
    # One logged read for the page: the leader's leader's is the history they act on, everyone else's the summary.
    try:
        view = view_case(task.case_id, "history" if task.role in HISTORY_ROLES else "task_summary")
    except NotAllowed:
        return None, None
    tasks = service().tasks_of_case(task.case_id) if at_least(view.level, "timeline") else [task]
    relations = service().involvement(me().id, task.case_id)
    summary = case_summary(view.case, view.level, tasks, relations, fields)
    history = timeline_rows(view, tasks) if task.role in HISTORY_ROLES and at_least(view.level, "timeline") else None
    return summary, history


def material_rows(material, fields) -> list[tuple[str, str, object]]:
    """What the diagram shows on this task (a hearing's material), with the labels the case page uses."""
    labels = case_labels(fields)
    return [(labels.get(key, key), key, shown(key, value, fields)) for key, value in material or ()]


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


def _open_detail(task_id: str) -> TaskDetail | tuple:
    """The task's detail if the person may open it and it is open; else the 409 page (403/404 raise)."""
    try:
        return view_task(task_id)
    except TaskNotOpen:
        return _not_open(service().task(task_id))


@bp.route("/<task_id>")
def show(task_id: str):
    """The task's instructions and its form."""
    detail = _open_detail(task_id)
    return detail if isinstance(detail, tuple) else _render(detail)


def _typed_back(task_id: str):
    """409: the task closed while the person was typing. Their answers come back so that nothing they wrote is lost."""
    task = service().task(task_id)
    if task.state == "completed" and task.completed_by == me().id:
        message = _("The task is already done: you completed it before (perhaps in another window), so these "
                    "answers were not saved again. They are shown below, so you can copy what you wrote.")
    elif task.state == "completed":
        message = _("The task is already done: %(who)s completed it while you were filling it in, so your answers "
                    "were not saved. They are shown below, so you can copy what you wrote.", who=_who(task.completed_by))
    else:
        message = _("The task is no longer open: the case's course closed it while you were filling it in, so your "
                    "answers were not saved. They are shown below, so you can copy what you wrote.")
    return _render(service().task_form(task_id), request.form, {}, 409, conflict=message, closed=True)


@bp.route("/<task_id>", methods=["POST"])
def complete(task_id: str):
    """Complete the task with the submitted form; a bad field comes back with its message (400)."""
    # The access check, its log row, reading the person fields and the completion: one transaction.
    try:
        sent = service().submit_task(task_id, me().id, request.form.to_dict(), now())
    except TaskNotOpen:
        return _typed_back(task_id)
    if sent.people:
        return _render(sent.detail, request.form, {f: person_problem(c) for f, c in sent.people.items()}, 400)
    if sent.errors:
        return _render(sent.detail, request.form, sent.errors, 400)
    if sent.workflow_error:
        # The diagram cannot go on with these answers (a date beyond the calendar, say): nothing was saved.
        return _render(sent.detail, request.form, {}, 422, conflict=_(
            "The case could not go on with these answers, so nothing was saved. Check the dates and numbers you "
            "gave, and try again. (%(why)s)", why=sent.workflow_error))
    case = sent.case
    if case.status == "closed":
        flash(_("The task is done, and case %(id)s is now closed.", id=case.id), "success")
    else:
        flash(_("The task is done. Thank you."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<task_id>/claim", methods=["POST"])
def claim(task_id: str):
    """Take a task that several people could do, so it is mine alone."""
    detail = _open_detail(task_id)
    if isinstance(detail, tuple):
        return detail
    service().claim(task_id, me().id, now())
    flash(_("The task is now yours."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/<task_id>/release", methods=["POST"])
def release(task_id: str):
    """Give back a task I claimed, so every candidate sees it again."""
    detail = _open_detail(task_id)
    if isinstance(detail, tuple):
        return detail
    service().release(task_id, me().id, now())
    flash(_("The task is released: everyone who can do it sees it again."), "info")
    return redirect(url_for("inbox.index"))


@bp.route("/<task_id>/draft", methods=["POST"])
def save_draft(task_id: str):
    """Keep the form as typed so far, for me only, and come back to it later."""
    detail = _open_detail(task_id)
    if isinstance(detail, tuple):
        return detail
    service().save_draft(task_id, me().id, {f.id: request.form.get(f.id) for f in detail.fields}, now())
    flash(_("Your draft is saved. Only you can see it; nothing is sent until you complete the task."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/<task_id>/draft/discard", methods=["POST"])
def discard_draft(task_id: str):
    """Throw my draft away and start the form afresh."""
    detail = _open_detail(task_id)
    if isinstance(detail, tuple):
        return detail
    service().discard_draft(task_id, me().id)
    flash(_("Your draft is deleted."), "info")
    return redirect(url_for("tasks.show", task_id=task_id))
