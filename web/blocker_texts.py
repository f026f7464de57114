"""Why a running case cannot move to another version (engine/bpmn/migration.py), in the process owner's language.

The engine's sentences stay English on the command line; here each has a pattern, and the parts it quotes from
the diagram (names, lanes, values) are kept. A sentence without a pattern is shown as the engine wrote it.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

_LABEL = r"(?P<label>'[^']*'|the element)"

BLOCKERS: list[tuple[re.Pattern, Any]] = [(re.compile(p + r"$", re.S), t) for p, t in (
    (r"the sub-process '(?P<name>[^']*)' is gone in version (?P<v>\d+)",
     _l("the sub-process '%(name)s' is gone in version %(v)s")),
    (_LABEL + r" is removed in version (?P<v>\d+), and the case has been or may go there",
     _l("%(label)s is removed in version %(v)s, and the case has been there or may go there")),
    (_LABEL + r" changes type from (?P<old>\w+) to (?P<new>\w+)",
     _l("%(label)s changes type from %(old)s to %(new)s")),
    (_LABEL + r" moves from lane '(?P<old>[^']*)' to '(?P<new>[^']*)', so other people would get the task",
     _l("%(label)s moves from the lane '%(old)s' to '%(new)s', so other people would get the task")),
    (r"the flows out of " + _LABEL + r" change \((?P<old>.*) -> (?P<new>.*)\)",
     _l("the flows out of %(label)s change (%(old)s → %(new)s)")),
    (r"the conditions of gateway " + _LABEL + r" change before the case has passed it",
     _l("the conditions of the gateway %(label)s change before the case has passed it")),
    (r"the timer " + _LABEL + r" has already started \(due (?P<due>[^)]*)\); its new value (?P<value>.*) would not "
     r"apply", _l("the timer %(label)s has already started (it runs out %(due)s); its new value %(value)s would "
                  "not apply")),
    (r"the case is closed; only open cases move to a new version",
     _l("the case is closed; only open cases move to a new version")),
)]


def blocker_text(reason: str) -> str:
    """Why a case cannot move to a version, as a sentence in the reader's language."""
    if get_locale().language == "en":
        return reason
    for pattern, template in BLOCKERS:
        match = pattern.match(reason)
        if match:
            parts = match.groupdict()
            if "label" in parts:
                parts["label"] = str(_l("the element")) if parts["label"] == "the element" else \
                    "»" + parts["label"][1:-1] + "«"
            return str(template) % parts
    return reason
