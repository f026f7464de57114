"""SpiffWorkflow's timers see the command's time (engine/clock.py) instead of the real clock.

SpiffWorkflow 3.2 reads `datetime.now(timezone.utc)` inside its timer event definitions and offers
no clock to inject, so the `datetime` name in that one module is replaced with a subclass whose
`now()` answers from the command's time when one is set. Imported by workflow.py, which runs every
workflow, so the patch is in place before any timer is evaluated.
"""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

from engine.clock import command_time


class _EngineDatetime(datetime):
    """`datetime` whose now() is the engine's current command time when one is set."""

    @classmethod
    def now(cls, tz=None):  # noqa: D401 - mirrors datetime.now
        fixed = command_time()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz else fixed.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime
