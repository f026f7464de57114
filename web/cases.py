"""A case's page at the viewer's level of access: status, what happened, where it stands, and its data."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine import NotFound

from .access import at_least, leads_case, view_case
from .helpers import me, names, now, service
from .people import read_person
from .wording import plain_label, value_text

bp = Blueprint("cases", __name__, url_prefix="/cases")

# Variables the engine adds for its own bookkeeping; they are not part of what anyone reported or decided.
_INTERNAL = {"case_unit", "message_data"}
_SYSTEM_ACTORS = {"system", "cli", "admin"}
INJURY_MESSAGE = "injury_discovered"

# The report form's start variables have no form field in the diagram to take a label from.
START_LABELS = {
    "description": _l("What happened?"), "employee_id": _l("The person affected"),
    "reporter_id": _l("Reported by"), "accused_id": _l("Person experienced as offending"),
    "incident_at": _l("When did it happen?"), "location": _l("Where did it happen?"),
    "violence_type": _l("What kind of violence?"), "severity": _l("How serious was it (1–5)?"),
    "injured": _l("It caused a physical or psychological injury"), "witnesses_present": _l("Colleagues witnessed it"),
    "witnesses": _l("Who witnessed it? (optional)"), "serious": _l("It is particularly serious"),
    "kind": _l("What was it?"), "report_source": _l("Reported by whom"),
}


@bp.route("/<int:case_id>")
def show(case_id: int):
    """The case page, drawn at the viewer's level: status; steps and diagram; or everything."""
    return _page(view_case(case_id, "page"))


def _page(view, grant_errors: dict[str, str] | None = None, status: int = 200, grant_text: str = ""):
    vaern = service()
    case_id, level = view.case.id, view.level
    tasks = vaern.tasks_of_case(case_id) if at_least(level, "timeline") else []
    data = []
    if level == "full":
        hidden = set(vaern.case_settings(case_id)) | _INTERNAL
        fields = vaern.case_fields(case_id)
        labels = case_labels(fields)
        data = [(labels.get(key, key), key, shown(key, value, fields)) for key, value in sorted(view.case.data.items())
                if key not in hidden and not key.endswith("_units") and value not in (None, "")]
    can_grant = level == "full" and leads_case(case_id)
    grants = vaern.access_grants(case_id, me().id) if can_grant else []
    actions = leader_actions(view.case, url_for("cases.show", case_id=case_id)) if can_grant else None
    return render_template("case.html", case=view.case, level=level, tasks=tasks, timeline=timeline_rows(view, tasks),
                           data=data, show_names=level == "full", can_grant=can_grant, grant_text=grant_text,
                           grants=grants, grant_errors=grant_errors or {}, actions=actions), status


def leader_actions(case, back: str, errors: dict[str, str] | None = None) -> dict[str, Any] | None:
    """What the case's leader can do at any step of an open case (mark it serious, register a later injury)."""
    from .report import SEVERITIES

    if case.status != "open":
        return None
    sendable = service().sendable_messages(case.id, me().id, now())
    return {"case_id": case.id, "back": back, "serious": case.serious, "severities": SEVERITIES,
            "severity": (case.data or {}).get("severity") or 3, "errors": errors or {},
            "can_register_injury": INJURY_MESSAGE in sendable}


def _back(case_id: int) -> str:
    # Only a path inside the app: a posted "back" is never an address elsewhere.
    back = request.form.get("back", "")
    return back if back.startswith("/") and not back.startswith("//") else url_for("cases.show", case_id=case_id)


@bp.route("/<int:case_id>/serious", methods=["POST"])
def mark_serious(case_id: int):
    """GEN-1, K-S5: the case's leader marks the case serious at any step, with a severity 1-5."""
    view_case(case_id, "mark_serious", wanted="full")
    if not leads_case(case_id):
        abort(403)
    raw = request.form.get("severity", "")
    if raw not in {"1", "2", "3", "4", "5"}:
        flash(_("Choose a severity from 1 to 5."), "error")
        return redirect(_back(case_id))
    service().mark_serious(case_id, int(raw), me().id, now())
    flash(_("Case %(id)s is marked serious (severity %(n)s). Every deadline that passes from now on is "
            "escalated to the next management level, and TR and AMR are told.", id=case_id, n=raw), "success")
    return redirect(_back(case_id))


@bp.route("/<int:case_id>/injury", methods=["POST"])
def register_injury(case_id: int):
    """LAW-1: an injury or absence found out later starts the accident-report route then."""
    view_case(case_id, "register_injury", wanted="full")
    if not leads_case(case_id):
        abort(403)
    if INJURY_MESSAGE not in service().sendable_messages(case_id, me().id, now()):
        flash(_("This case cannot take an injury any more. Report the work accident directly in "
                "ArbejdsMiljøSystemet."), "warning")
        return redirect(_back(case_id))
    note = request.form.get("note", "").strip()[:2000]
    service().send_message(case_id, INJURY_MESSAGE, {"by": me().id, "note": note}, me().id, now())
    flash(_("The injury is registered. You have been given the task of recording the first day of absence "
            "and reporting the work accident."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<int:case_id>/diagram.json")
def diagram(case_id: int):
    """The diagram the case runs and which elements are done, current or overdue (for the viewer)."""
    view_case(case_id, "diagram", wanted="timeline")
    d = service().case_diagram(case_id, now())
    return jsonify(xml=d.xml, version=d.version, completed=sorted(d.completed), current=sorted(d.current),
                   overdue=sorted(d.overdue))


@bp.route("/<int:case_id>/grant", methods=["POST"])
def grant(case_id: int):
    """The case's leader lets one more person see the whole case (K-H7: whom the leader adds)."""
    view = view_case(case_id, "grant", wanted="full")
    text = request.form.get("person_id", "")
    if not leads_case(case_id):
        abort(403)
    person_id, problem = read_person(text, _("Type the name or id of the person who should see the case."))
    if problem or person_id == me().id:
        problem = problem or _("You already see the case: choose someone else.")
        return _page(view, {"person_id": problem}, 400, text)
    name = service().person_names([person_id])[person_id]
    service().grant_access(case_id, person_id, me().id, now())
    flash(_("%(name)s can now see the whole case.", name=name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<int:case_id>/grants/<person_id>/withdraw", methods=["POST"])
def withdraw(case_id: int, person_id: str):
    """The case's leader takes back access given earlier; the person keeps only what their own part allows."""
    view_case(case_id, "grant", wanted="full")
    if not leads_case(case_id):
        abort(403)
    name = names().get(person_id, person_id)
    try:
        service().withdraw_access(case_id, person_id, me().id, now())
    except NotFound:
        flash(_("%(name)s had not been given access to the case; nothing was changed.", name=name), "info")
    else:
        flash(_("%(name)s no longer sees the whole case.", name=name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


REPORT_SOURCES = {"affected": _l("The person affected themselves"), "witness": _l("A witness")}


def shown(key: str, value: Any, fields: Mapping[str, Any] | None = None) -> Any:
    """A case value as a person reads it: a choice by its option's name, dates in the reader's form."""
    from .report import HARASSMENT_KINDS, VIOLENCE_TYPES

    choices = {"violence_type": VIOLENCE_TYPES, "kind": HARASSMENT_KINDS, "report_source": REPORT_SOURCES}.get(key)
    if choices and value in choices:
        return str(choices[value])
    field = (fields or {}).get(key)
    return value_text(value, dict(field.options) if field is not None and field.options else None)


def case_labels(fields: Mapping[str, Any]) -> dict[str, str]:
    """Labels for a case's variables: the report form's, then each form field's, without "(valgfrit)"."""
    labels = {**{k: str(v) for k, v in START_LABELS.items()}, **{k: f.label for k, f in fields.items()}}
    return {k: plain_label(v) for k, v in labels.items()}


def timeline_rows(view, tasks) -> list[dict[str, Any]]:
    """The case's events for the page: with names at full access, else the role that acted (the engine
    has already put the role in place of the person)."""
    full = view.level == "full"
    task_roles = {t.id: t.role for t in tasks}
    task_titles = {t.id: t.title for t in tasks}
    rows = []
    for event in view.timeline:
        role = task_roles.get(event.task_id) if event.task_id else None
        if event.actor in _SYSTEM_ACTORS:
            who = "system"
            actor = None
        elif full:
            actor = names().get(event.actor, event.actor)
            who = role or event.details.get("role") or ("reporter" if event.actor == view.case.created_by else None)
        else:
            actor = None
            who = role or event.actor
        details = dict(event.details)
        if full and details.get("person"):
            details["person_name"] = names().get(details["person"], details["person"])
        rows.append({"at": event.at, "action": event.action, "actor": actor, "role": who,
                     "task": task_titles.get(event.task_id), "details": details})
    return rows
