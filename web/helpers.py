"""What every view needs: the service, the clock, the logged-in person, names and labels for templates."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from engine import FIGURE_ROLES, PersonInfo, Vaern

from .wording import day, moment

# Role keys as people read them; the engine's keys are English, the page is Danish or English.
ROLE_LABELS = {
    "leader": _l("Leader"),
    "leaders_leader": _l("Leader's leader"),
    "other_personnel_leader": _l("Other personnel leader"),
    "employee": _l("Affected employee"),
    "accused": _l("Person experienced as offending"),
    "reporter": _l("Reporter"),
    "colleague": _l("Colleague / witness"),
    "tr": _l("Union representative (TR)"),
    "amr": _l("Work environment representative (AMR)"),
    "hr": _l("Local HR"),
    "koncern_hr": _l("Corporate HR"),
    "amg": _l("Work environment group"),
    "lmu": _l("Local MED committee"),
    "hmu": _l("Main MED committee"),
    "rmu": _l("Regional MED committee"),
    "anonymous_handler": _l("Handler of anonymous reports"),
    "system": _l("System"),
    "deltager": _l("Participant"),
    "self": _l("You"),
    "admin": _l("Administrator"),
}

KIND_LABELS = {
    "violence": _l("Violence from citizens, patients or relatives"),
    "harassment": _l("Offensive acts between employees"),
    "annual_med": _l("Annual MED review"),
    "anonymous": _l("Anonymous report"),
}

# What the engine and the command line do under a name of their own, as people read it (never "cli:root").
SYSTEM_ACTOR_LABELS = {
    "system": _l("The system"),
    "cli": _l("Maintenance (command line)"),
    "admin": _l("Maintenance (administrator)"),
    "anonymous": _l("The anonymous writer"),
    "-": _l("Removed at the purge"),
}

STATUS_LABELS = {"open": _l("Open"), "closed": _l("Closed")}

TASK_STATE_LABELS = {"open": _l("Open"), "completed": _l("Done"), "cancelled": _l("Cancelled")}

# The longest text the engine takes in a form field (a test keeps this equal to engine/bpmn/forms.py's limit).
MAX_TEXT_LENGTH = 20_000

_REQUIREMENT_TAGS = re.compile(r"^\s*((?:\[[A-Za-z0-9-]+\]\s*)+)")


def service() -> Vaern:
    """The engine service the app was built with."""
    return current_app.extensions["vaern"]


def now() -> datetime:
    """The current moment in UTC; tests may set CLOCK to a function that fakes it."""
    clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(timezone.utc)


def me() -> PersonInfo:
    """The logged-in person (set by the login check before every view)."""
    return g.person


class _Names:
    """Person id -> name, looked up for the ids a page asks about and remembered for the request."""

    def __init__(self):
        self._known: dict[str, str] = {}

    def get(self, person_id: str, default=None):
        if person_id not in self._known:
            org = g.get("org_snapshot")
            if org is not None:  # a service call of this request already read the organisation
                self._known[person_id] = org.names.get(person_id)
            else:
                self._known.update(service().person_names([person_id]))
            self._known.setdefault(person_id, default)
        return self._known[person_id] if self._known[person_id] is not None else default


def maintains_diagrams() -> bool:
    """Whether the logged-in person looks after the diagrams (a process owner or an administrator)."""
    person = g.get("person")
    return bool(person and (person.is_admin or person.is_process_owner))


def use_organisation(org) -> None:
    """Answer this request's names of people and units from an organisation snapshot a service call returned."""
    g.org_snapshot = org


def names() -> _Names:
    """Names of people by id, read only for the ids a page shows (never the whole organisation)."""
    if "names" not in g:
        g.names = _Names()
    return g.names


def split_documentation(text: str | None) -> tuple[list[str], str]:
    """A diagram element's documentation as (requirement tags, the instructions without them)."""
    if not text:
        return [], ""
    match = _REQUIREMENT_TAGS.match(text)
    if not match:
        return [], text.strip()
    tags = re.findall(r"\[([A-Za-z0-9-]+)\]", match.group(1))
    return tags, text[match.end():].strip()


_BILINGUAL = re.compile(r"^(?P<da>.+?) \((?P<en>[^()]+)\)$")


def localized(message: str) -> str:
    """The engine's bilingual messages ("skal udfyldes (required)") in the reader's language only."""
    match = _BILINGUAL.match(message)
    if not match:
        return message
    return match.group("en") if get_locale().language == "en" else match.group("da")


def system_actor(actor: str | None) -> str | None:
    """The Danish or English name of a system actor ("cli", "cli:root", "system"), or None for a person."""
    if actor is None:
        return None
    key = "cli" if actor.startswith("cli:") else actor
    label = SYSTEM_ACTOR_LABELS.get(key)
    return str(label) if label is not None else None


def actor_name(actor: str | list[str] | None) -> str:
    """Who did or read something, as people read it: a system actor's name, else the person's name or id.

    A list (the witnesses a leader named) reads as their names, one after the other.
    """
    if isinstance(actor, list):
        return ", ".join(actor_name(a) for a in actor) or "–"
    if not actor:
        return "–"
    return system_actor(actor) or names().get(actor, actor)


def role_label(role: str) -> str:
    """A role key in the reader's language."""
    return str(ROLE_LABELS.get(role, role))


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates use."""
    app.jinja_env.filters.update(when=moment, day=day, role=role_label,
                                 kind=lambda k: str(KIND_LABELS.get(k, k)),
                                 status=lambda s: str(STATUS_LABELS.get(s, s)),
                                 task_state=lambda s: str(TASK_STATE_LABELS.get(s, s)),
                                 person=actor_name)

    from .changes import aspect_text
    from .changes import value_text as change_value
    from .blocker_texts import blocker_text
    from .finding_texts import finding_text
    from .problem_texts import hint_text, problem_text
    app.jinja_env.filters.update(change_aspect=aspect_text, change_value=change_value, problem_text=problem_text,
                                 hint_text=hint_text, blocker_text=blocker_text,
                                 finding_text=finding_text)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        person = g.get("person")
        # The error page for a failure must not depend on the database that may have failed.
        unread = g.get("unread_notices", 0) if person and not g.get("plain_page") else 0
        sits = bool(person) and any(role in FIGURE_ROLES for _unit, role in person.roles)
        return {"current_person": person, "demo_mode": app.config["VAERN_DEMO"], "unread_notices": unread,
                "sits_for_figures": sits}
