"""Lets the service layer decide what "now" is for SpiffWorkflow's timers.

SpiffWorkflow 3.2 reads `datetime.now(timezone.utc)` inside its timer event definitions and offers
no clock to inject. The engine passes `now` into every command (house rule 5), so we replace the
`datetime` name in that one module with a subclass whose `now()` answers from a context variable.
Outside `frozen_at(...)` it is the real clock.
"""
from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime, timezone
from typing import Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_current: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("vaern_now", default=None)


class _EngineDatetime(datetime):
    """`datetime` whose now() is the engine's current command time when one is set."""

    @classmethod
    def now(cls, tz=None):  # noqa: D401 - mirrors datetime.now
        fixed = _current.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz else fixed.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime


def as_utc(moment: datetime) -> datetime:
    """Return `moment` as an aware UTC datetime (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc)
    # A plain datetime, even when SpiffWorkflow handed us its patched subclass.
    return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, timezone.utc)


@contextlib.contextmanager
def frozen_at(now: datetime) -> Iterator[datetime]:
    """Make SpiffWorkflow (and `current_time`) see `now` for the duration of the block."""
    token = _current.set(as_utc(now))
    try:
        yield as_utc(now)
    finally:
        _current.reset(token)


def current_time() -> datetime:
    """The command's time inside `frozen_at`, else the real UTC time."""
    return _current.get() or datetime.now(timezone.utc)
