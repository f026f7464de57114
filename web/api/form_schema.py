"""A task's form fields (camunda:formData) as a JSON schema a client can validate or render from."""
from __future__ import annotations

from engine import FormField

MAX_TEXT_LENGTH = 20_000


def field_schema(field: FormField) -> dict:
    """One field: its JSON type, title and the constraints the engine checks."""
    schema: dict = {"title": field.label}
    if field.type == "boolean":
        schema["type"] = "boolean"
    elif field.type == "long":
        schema["type"] = "integer"
    elif field.type == "date":
        schema.update(type="string", format="date")
    elif field.type == "enum":
        schema.update(type="string", enum=[option for option, _label in field.options],
                      **{"x-enum-labels": {option: label for option, label in field.options}})
    else:
        schema.update(type="string", maxLength=MAX_TEXT_LENGTH)
    if field.id.endswith("_id"):
        schema["description"] = "A person: their id, or a name that names one person."
    if field.multiline:
        schema["x-multiline"] = True
    if field.default is not None:
        schema["default"] = field.default
    if field.required_if:
        schema["x-required-if"] = field.required_if
    if field.min_date:
        schema["x-min-date"] = field.min_date
    if field.max_date:
        schema["x-max-date"] = field.max_date
    if not field.required and schema["type"] != "boolean":
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = schema["enum"] + [None]
    return schema


def form_schema(fields: tuple[FormField, ...] | list[FormField]) -> dict:
    """The form as a JSON schema object; conditional requirements are named in `x-required-if` and checked on send."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {f.id: field_schema(f) for f in fields},
            "required": [f.id for f in fields if f.required and f.type != "boolean"],
            # As from the web form, a value for no field of the form is ignored, not refused.
            "additionalProperties": True}
