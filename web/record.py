"""A case's answers grouped by the step that gave them, with who answered and when, in the order it happened."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import gettext as _

from .answers import case_labels, shown
from .wording import record_label

# Variables the engine adds for its own bookkeeping; they are not part of what anyone reported or decided.
INTERNAL = {"case_unit", "message_data"}


def _visible(key: str, value: Any, hidden: set[str]) -> bool:
    return key not in hidden and not key.endswith("_units") and value not in (None, "")


def record_groups(case, tasks, fields: Mapping[str, Any], asked: Mapping[str, tuple[str, ...]],
                  settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report first, then each completed task's answers (the latest task that asked a field keeps it)."""
    data = case.data or {}
    hidden = set(settings) | INTERNAL
    labels = case_labels(fields)
    done = sorted((t for t in tasks if t.state == "completed" and t.spec_id in asked),
                  key=lambda t: (t.completed_at, t.id))
    owner: dict[str, Any] = {}
    for task in done:
        for field_id in asked[task.spec_id]:
            owner[field_id] = task

    def rows(keys) -> list[tuple[str, str, Any]]:
        return [(record_label(labels.get(k, k)), k, shown(k, data[k], fields)) for k in keys
                if _visible(k, data.get(k), hidden)]

    groups = []
    report = rows(k for k in data if k not in owner)
    if report:
        groups.append({"title": _("The report"), "by": case.created_by, "at": case.created_at, "rows": report})
    for task in done:
        answered = rows(k for k in asked[task.spec_id] if owner.get(k) is task and k in data)
        if answered:
            groups.append({"title": task.title, "by": task.completed_by, "at": task.completed_at, "rows": answered})
    return groups
