"""Form fields of a user task (Camunda `formData`) and the typing and validation of submitted values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from engine.bpmn.expressions import evaluate, names_read
from engine.errors import ExpressionError, InvalidInput

MAX_TEXT_LENGTH = 20_000
MAX_PEOPLE = 20  # the most people one person-list field names (several witnesses, not a department)
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
    # An expression over the case and this form's values: when it holds, the field must be filled
    # (e.g. the other leader's id once "yes, another personnel leader" is answered).
    required_if: str | None = None
    # Expressions giving the earliest and latest date a date field accepts (e.g. the incident, today()).
    min_date: str | None = None
    max_date: str | None = None


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
            required_if=(field.get_property("required_if") or "").strip() or None,
            min_date=_constraint(field, "min"),
            max_date=_constraint(field, "max"),
        ))
    return fields


def _constraint(field: Any, name: str) -> str | None:
    config = next((v.config for v in field.validation if v.name == name), None)
    return config.strip() if isinstance(config, str) and config.strip() else None


def coerce_values(fields: list[FormField], raw: Mapping[str, Any],
                  case_data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Type and check submitted values against the fields; raise InvalidInput naming each bad field.

    `case_data` is what the case knows so far: conditional requirements and date limits read it
    together with the form's own values (run inside `clock.frozen_at`, so `today()` is the command's day).
    """
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
    names = {**(case_data or {}), **{k: v for k, v in values.items() if k not in errors}}
    for field in fields:
        if field.id in errors:
            continue
        problem = _conditional_problem(field, values.get(field.id), names, by_id)
        if problem:
            errors[field.id] = problem
    if errors:
        raise InvalidInput(errors)
    return values


def _conditional_problem(field: FormField, value: Any, names: Mapping[str, Any],
                         by_id: Mapping[str, FormField]) -> str | None:
    """Why a typed value breaks the field's conditional requirement or date limits, or None."""
    if field.required_if and _blank(value) and _holds(field.required_if, names):
        asked = [by_id[name].label for name in names_read(field.required_if) if name in by_id and name != field.id]
        if asked:
            return f"skal udfyldes ud fra dit svar på »{asked[0]}« (required by your answer to »{asked[0]}«)"
        return "skal udfyldes i denne sag (required in this case)"
    if field.type != "date" or _blank(value):
        return None
    chosen = date.fromisoformat(value)
    earliest = _limit(field.min_date, names)
    if earliest is not None and chosen < earliest:
        return (f"kan ikke være før {earliest:%d.%m.%Y}{_what(field.min_date, by_id)} "
                f"(must not be before {earliest.isoformat()})")
    latest = _limit(field.max_date, names)
    if latest is not None and chosen > latest:
        if field.max_date == "today()":
            return "kan ikke ligge i fremtiden (cannot be in the future)"
        return (f"kan ikke være efter {latest:%d.%m.%Y}{_what(field.max_date, by_id)} "
                f"(must not be after {latest.isoformat()})")
    return None


def _holds(expression: str, names: Mapping[str, Any]) -> bool:
    try:
        return bool(evaluate(expression, names))
    except ExpressionError:
        return False  # a condition on something the case does not know yet asks for nothing


def _limit(expression: str | None, names: Mapping[str, Any]) -> date | None:
    """The date an expression gives (the date part of a date-time), or None when it cannot be known yet."""
    if not expression:
        return None
    try:
        result = evaluate(expression, names)
    except ExpressionError:
        return None
    if isinstance(result, date):
        return result if not hasattr(result, "date") else result.date()
    try:
        return date.fromisoformat(str(result)[:10])
    except ValueError:
        return None


def _what(expression: str, by_id: Mapping[str, FormField]) -> str:
    field = by_id.get(expression)
    return f" ({field.label})" if field else ""


def is_person_list(field_id: str) -> bool:
    """Whether a field names several people (`…_ids`): its value is a list of person ids."""
    return field_id.endswith("_ids")


def split_people(text: str) -> list[str]:
    """The names or ids in a person-list field's text, split on commas, semicolons and new lines."""
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _people(value: Any) -> list[str]:
    people = split_people(value) if isinstance(value, str) else value
    if not isinstance(people, list) or not all(isinstance(p, str) and p.strip() for p in people):
        raise ValueError("skal være en liste af personer (must be a list of people)")
    unique = list(dict.fromkeys(p.strip() for p in people))
    if len(unique) > MAX_PEOPLE:
        raise ValueError(f"højst {MAX_PEOPLE} personer (at most {MAX_PEOPLE} people)")
    return unique


def _coerce(field: FormField, value: Any) -> Any:
    if field.type == "boolean":
        return _boolean(value)
    if _blank(value):
        if field.required:
            raise ValueError("skal udfyldes (required)")
        return None
    if field.type == "string" and is_person_list(field.id):
        return _people(value)
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
