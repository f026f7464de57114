"""What a dry run's simulated cases met (engine/simulation/simulate.py), in the process owner's language.

`vaern simulate` stays English; the dry run on the modeller's preview shows these. The parts a sentence quotes
(task titles, lanes, units, the engine's own error) are kept; a sentence without a pattern is shown as written.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

FINDINGS: list[tuple[re.Pattern, Any]] = [(re.compile(p + r"$", re.S), t) for p, t in (
    (r"the case could not start \((?P<detail>.*)\); start data (?P<data>.*)",
     _l("the case could not start (technically: %(detail)s); start data %(data)s")),
    (r"still open after (?P<n>\d+) days of simulated time", _l("still open after %(n)s simulated days")),
    (r"still open after (?P<n>\d+) steps", _l("still open after %(n)s steps")),
    (r"engine error: (?P<detail>.*)", _l("the engine failed (technically: %(detail)s)")),
    (r"the timer is due but did not fire", _l("the timer ran out but did not fire")),
    (r"the form refused the simulated answers (?P<values>.*): (?P<errors>.*)",
     _l("the form refused the simulated answers %(values)s: %(errors)s")),
    (r"the task '(?P<title>.*)' is open in lane (?P<role>\S+) \(unit (?P<unit>[^)]*)\) with nobody to do it",
     _l("the task '%(title)s' is open in the lane %(role)s (unit %(unit)s) with nobody to do it")),
    (r"the case waits with no pending timer on '(?P<title>.*)' \(lane (?P<role>\S+), unit (?P<unit>[^)]*)\), "
     r"whose people do not act",
     _l("the case waits, with no timer running, on '%(title)s' (lane %(role)s, unit %(unit)s), whose people do "
        "not act")),
    (r"a task was created for nobody: lane (?P<role>\S+) \(unit (?P<unit>[^)]*)\) resolves to no one",
     _l("a task was made for nobody: the lane %(role)s (unit %(unit)s) names no one")),
    (r"a timer could not fire: (?P<detail>.*)", _l("a timer could not fire (technically: %(detail)s)")),
    (r"the case did not close \(nothing is pending\)", _l("the case did not close (nothing is waiting)")),
    (r"the case did not close", _l("the case did not close")),
    (r"the case fell quiet without a reminder to anyone", _l("the case fell quiet without a reminder to anyone")),
    (r"the serious case fell quiet without being escalated",
     _l("the serious case fell quiet without being escalated")),
    (r"the case \(the diagram escalates, and never asks whether a case is serious\) fell quiet without being "
     r"escalated", _l("the case fell quiet without being escalated (the diagram escalates and never asks whether "
                      "a case is serious)")),
)]


def finding_text(detail: str) -> str:
    """What a simulated case met, as a sentence in the reader's language."""
    if get_locale().language == "en":
        return detail
    for pattern, template in FINDINGS:
        match = pattern.match(detail)
        if match:
            return str(template) % match.groupdict()
    return detail
