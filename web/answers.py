"""How a case's stored answers read: labels for its variables, choices by name, dates in the reader's form."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from .wording import plain_label, value_text

# The report form's start variables have no form field in the diagram to take a label from.
START_LABELS = {
    "description": _l("What happened?"), "employee_id": _l("The person affected"),
    "reporter_id": _l("Reported by"), "accused_id": _l("Person experienced as offending"),
    "incident_at": _l("When did it happen?"), "location": _l("Where did it happen?"),
    "violence_type": _l("What kind of violence?"), "severity": _l("How serious was it (1–5)?"),
    "injured": _l("It caused a physical or psychological injury"), "witnesses_present": _l("Colleagues witnessed it"),
    "witnesses": _l("Who witnessed it? (optional)"), "serious": _l("It is particularly serious"),
    "kind": _l("What was it?"), "report_source": _l("Reported by whom"), "acted_by": _l("Who acted?"),
}


REPORT_SOURCES = {"affected": _l("The person affected themselves"), "witness": _l("A witness")}


def shown(key: str, value: Any, fields: Mapping[str, Any] | None = None) -> Any:
    """A case value as a person reads it: a choice by its option's name, dates in the reader's form."""
    from .report import ACTORS, HARASSMENT_KINDS, VIOLENCE_TYPES

    actors = {key: label for key, (_kind, label) in ACTORS.items()}
    choices = {"violence_type": VIOLENCE_TYPES, "kind": HARASSMENT_KINDS, "report_source": REPORT_SOURCES,
               "acted_by": actors}.get(key)
    if choices and value in choices:
        return str(choices[value])
    field = (fields or {}).get(key)
    return value_text(value, dict(field.options) if field is not None and field.options else None)


def case_labels(fields: Mapping[str, Any]) -> dict[str, str]:
    """Labels for a case's variables: the report form's, then each form field's, without "(valgfrit)"."""
    labels = {**{k: str(v) for k, v in START_LABELS.items()}, **{k: f.label for k, f in fields.items()}}
    return {k: plain_label(v) for k, v in labels.items()}


