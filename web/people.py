"""Person fields: suggestions as someone types, and reading what was typed back as one person.

A form never lists the whole organisation; the field takes text and the browser asks this blueprint
for the people it could mean. Without JavaScript, an id or a full name still works.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from .helpers import service

bp = Blueprint("people", __name__, url_prefix="/people")

SUGGESTIONS = 20


@bp.route("/search")
def search():
    """Up to twenty people whose name or id holds every word typed, as JSON for the field's list."""
    found = service().find_people(request.args.get("q", ""), SUGGESTIONS)
    response = jsonify(people=[{"id": p.id, "name": p.name, "unit": p.unit_name, "label": p.label} for p in found])
    response.headers["Cache-Control"] = "private, no-store"
    return response


def person_text(value: str | list[str] | None) -> str:
    """What a person field shows: "Name (id)" for a known id, else the text as it was typed; a list, comma-separated."""
    if isinstance(value, list):
        return ", ".join(person_text(v) for v in value)
    if not value:
        return ""
    match = service().person_match(value)
    return match.label if match else value


def read_person(text: str | None, missing: str | None = None) -> tuple[str | None, str | None]:
    """(the person id the field's text names, or None; an error message, or None).

    An empty field is no error unless `missing` says what to write then.
    """
    if not (text or "").strip():
        return None, missing
    choice = service().choose_person(text)
    if choice.person_id:
        return choice.person_id, None
    return None, person_problem(choice)


def person_problem(choice) -> str:
    """What to tell someone whose text in a person field names no one person (several, a near miss, nobody)."""
    if choice.typed:  # one name of several: say which
        return _("»%(name)s«: %(problem)s", name=choice.typed, problem=person_problem(replace(choice, typed=None)))
    if choice.ambiguous:
        options = "; ".join(p.label + (f", {p.unit_name}" if p.unit_name else "") for p in choice.suggestions)
        return _("Several people have that name: choose one of them: %(options)s.", options=options)
    if choice.suggestions:
        options = "; ".join(p.label for p in choice.suggestions)
        return _("We know no one by that name or id. Did you mean: %(options)s?", options=options)
    return _("We know no one by that name or id. Type part of the name and choose from the list.")
