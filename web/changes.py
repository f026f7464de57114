"""The changes between two diagram versions in a process owner's terms: aspects in Danish, durations in words."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from .helpers import role_label
from .wording import duration_words

# The aspects engine/bpmn/diff.py names, as a process owner calls them.
ASPECTS = {
    "value": _l("value"), "name": _l("name"), "role": _l("role"), "type": _l("type"), "lane": _l("lane"),
    "documentation": _l("documentation"), "default flow": _l("default flow"), "attached to": _l("attached to"),
    "interrupting": _l("interrupting"), "timer type": _l("kind of timer"), "timeDuration": _l("duration"),
    "timeDate": _l("point in time"), "timeCycle": _l("repetition"), "timer": _l("timer"), "label": _l("label"),
    "required": _l("required"), "options": _l("options"), "default": _l("default value"),
    "condition": _l("condition"), "source": _l("from"), "target": _l("to"),
}
_WORDS = {"yes": _l("yes"), "no": _l("no"), "True": _l("yes"), "False": _l("no")}
_TIMER_KINDS = {"timeDuration": _l("duration"), "timeDate": _l("point in time"), "timeCycle": _l("repetition")}


def aspect_text(detail: str) -> str:
    """What changed about an element ("timeDuration" -> "varighed")."""
    return str(ASPECTS.get(detail, detail)) if detail else ""


def value_text(value: str | None) -> str:
    """A before or after value: a duration in words (with the value as written), a role by its name, yes/no."""
    if value is None:
        return "–"
    text = str(value)
    match = re.fullmatch(r"role (\w+)", text)
    if match:
        return role_label(match.group(1))
    match = re.fullmatch(r"(timeDuration|timeDate|timeCycle) (.+)", text)
    if match:
        return f"{_TIMER_KINDS[match.group(1)]}: {value_text(match.group(2))}"
    words = duration_words(text.strip("'\""))
    if words:
        return words if words == text else f"{words} ({text})"
    if text in _WORDS:
        return str(_WORDS[text])
    if "; " in text and ": " in text:
        parts = (part.split(": ", 1) for part in text.split("; "))
        return "; ".join(f"{aspect_text(k)}: {value_text(v)}" for k, v in parts)
    return text
