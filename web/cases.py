"""A case's page: status, what happened, where it stands in its diagram, and the data the viewer may see."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_babel import format_datetime, lazy_gettext as _l

from .access import require_case
from .helpers import me, names, now, service

bp = Blueprint("cases", __name__, url_prefix="/cases")

# Variables the engine adds for its own bookkeeping; they are not part of what anyone reported or decided.
_INTERNAL = {"case_unit", "message_data"}
_SYSTEM_ACTORS = {"system", "cli", "admin"}

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
    """The case page: only for people involved in it and admins."""
    person = me()
    involvement = require_case(person, case_id)
    vaern = service()
    case = vaern.case(case_id)
    tasks = vaern.tasks_of_case(case_id)
    show_names = bool(involvement)
    timeline = _timeline(vaern.events(case_id), tasks, case.created_by, show_names)
    hidden = set(vaern.case_settings(case_id)) | _INTERNAL
    labels = {**{k: str(v) for k, v in START_LABELS.items()}, **vaern.case_field_labels(case_id)}
    data = [(labels.get(key, key), key, _shown(key, value)) for key, value in sorted(case.data.items())
            if key not in hidden and not key.endswith("_units") and value not in (None, "")]
    return render_template("case.html", case=case, tasks=tasks, timeline=timeline, data=data,
                           show_names=show_names, involvement=involvement)


@bp.route("/<int:case_id>/diagram.json")
def diagram(case_id: int):
    """The diagram the case runs and which elements are done, current or overdue (for the viewer)."""
    require_case(me(), case_id)
    d = service().case_diagram(case_id, now())
    return jsonify(xml=d.xml, version=d.version, completed=sorted(d.completed), current=sorted(d.current),
                   overdue=sorted(d.overdue))


REPORT_SOURCES = {"affected": _l("The person affected themselves"), "witness": _l("A witness")}


def _shown(key: str, value: Any) -> Any:
    from .report import HARASSMENT_KINDS, VIOLENCE_TYPES

    choices = {"violence_type": VIOLENCE_TYPES, "kind": HARASSMENT_KINDS, "report_source": REPORT_SOURCES}.get(key)
    if choices and value in choices:
        return str(choices[value])
    if key == "incident_at" and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    return value


def _timeline(events, tasks, reporter: str, show_names: bool) -> list[dict[str, Any]]:
    # People involved in the case see who did what; others (admins) see only the role that acted.
    task_roles = {t.id: t.role for t in tasks}
    task_titles = {t.id: t.title for t in tasks}
    rows = []
    for event in events:
        role = task_roles.get(event.task_id) if event.task_id else None
        if event.actor in _SYSTEM_ACTORS:
            who = event.actor if event.actor != "cli" else "system"
            actor = None
        else:
            actor = names().get(event.actor, event.actor) if show_names else None
            who = role or ("reporter" if event.actor == reporter else None)
        rows.append({"at": event.at, "action": event.action, "actor": actor, "role": who,
                     "task": task_titles.get(event.task_id), "details": event.details})
    return rows
