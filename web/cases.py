"""A case's page: status, what happened, where it stands in its diagram, and the data the viewer may see."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

from .access import require_case
from .helpers import me, names, now, service

bp = Blueprint("cases", __name__, url_prefix="/cases")

# Variables the engine adds for its own bookkeeping; they are not part of what anyone reported or decided.
_INTERNAL = {"case_unit", "message_data"}
_SYSTEM_ACTORS = {"system", "cli", "admin"}


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
    labels = vaern.case_field_labels(case_id)
    data = [(labels.get(key, key), key, value) for key, value in sorted(case.data.items())
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
