"""What "now" is for a command: the time the service layer passed in, for SpiffWorkflow's timers too.

The engine passes `now` into every command (house rule 5); `frozen_at(now)` makes it the time every
timer and expression of the block sees (engine/bpmn/spiff_time.py points SpiffWorkflow's clock here).
Outside `frozen_at(...)` it is the real clock.
"""
from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime, timezone
from typing import Iterator

_current: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("vaern_now", default=None)


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


def command_time() -> datetime | None:
    """The command's time inside `frozen_at`, else None."""
    return _current.get()


def current_time() -> datetime:
    """The command's time inside `frozen_at`, else the real UTC time."""
    return _current.get() or datetime.now(timezone.utc)
