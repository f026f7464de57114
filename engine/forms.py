"""Form fields of a user task (Camunda `formData`) and the typing and validation of submitted values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from .errors import InvalidInput

MAX_TEXT_LENGTH = 20_000
_TRUE = {"true", "on", "1", "yes", "ja"}
_FALSE = {"false", "off", "0", "no", "nej", ""}


@dataclass(frozen=True)
class FormField:
    """One field as the diagram defines it."""

    id: str
    label: str
    type: str
    required: bool
    options: tuple[tuple[str, str], ...] = ()
    multiline: bool = False
    default: str | None = None


def form_fields(task_spec: Any) -> list[FormField]:
    """The fields of a SpiffWorkflow Camunda user task spec (none for a task without a form)."""
    form = getattr(task_spec, "form", None)
    if form is None:
        return []
    fields = []
    for field in form.fields:
        options = tuple((o.id, o.name) for o in getattr(field, "options", []))
        fields.append(FormField(
            id=field.id,
            label=field.label or field.id,
            type=field.type,
            required=any(v.name == "required" for v in field.validation),
            options=options,
            multiline=field.get_property("widget") == "textarea",
            default=field.default_value or None,
        ))
    return fields


def coerce_values(fields: list[FormField], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Type and check submitted values against the fields; raise InvalidInput naming each bad field."""
    by_id = {f.id: f for f in fields}
    errors: dict[str, str] = {}
    for key in raw:
        if key not in by_id:
            errors[key] = "ukendt felt (unknown field)"
    values: dict[str, Any] = {}
    for field in fields:
        try:
            values[field.id] = _coerce(field, raw.get(field.id))
        except ValueError as exc:
            errors[field.id] = str(exc)
    if errors:
        raise InvalidInput(errors)
    return values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce(field: FormField, value: Any) -> Any:
    if field.type == "boolean":
        return _boolean(value)
    if _blank(value):
        if field.required:
            raise ValueError("skal udfyldes (required)")
        return None
    if field.type == "string":
        if not isinstance(value, str):
            raise ValueError("skal være tekst (must be text)")
        if len(value) > MAX_TEXT_LENGTH:
            raise ValueError(f"højst {MAX_TEXT_LENGTH} tegn (at most {MAX_TEXT_LENGTH} characters)")
        return value.strip()
    if field.type == "long":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError("skal være et helt tal (must be a whole number)")
        try:
            return int(value.strip()) if isinstance(value, str) else value
        except ValueError:
            raise ValueError("skal være et helt tal (must be a whole number)") from None
    if field.type == "date":
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str):
            raise ValueError("skal være en dato (must be a date, YYYY-MM-DD)")
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError("skal være en dato som 2026-11-26 (must be a date, YYYY-MM-DD)") from None
    if field.type == "enum":
        allowed = [option_id for option_id, _ in field.options]
        if value not in allowed:
            raise ValueError(f"skal være en af: {', '.join(allowed)} (must be one of the choices)")
        return value
    raise ValueError(f"ukendt felttype '{field.type}' (unknown field type)")


def _boolean(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("skal være ja eller nej (must be yes or no)")
