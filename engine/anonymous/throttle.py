"""Guessing codes is slowed in memory: wrong codes per client and in total, in a fixed window, never stored.

The client is known here only as a keyed hash of what the web passes (its address), with a key this process
draws at start and never writes anywhere, so the counts cannot be turned back into addresses and vanish
with the process. Several web processes each count their own; the total limit bounds a spread-out guess.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta

from engine.clock import as_utc


class CodeThrottle:
    """Counts wrong codes per client and for everyone together within `window`; `now` comes from the caller."""

    def __init__(self, per_client: int, total: int, window: timedelta):
        self.per_client = per_client
        self.total = total
        self.window = window
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[datetime, int]] = {}
        self._all: tuple[datetime, int] | None = None

    def allowed(self, client: str, now: datetime) -> bool:
        """True while the client and everyone together are under their limits of wrong codes."""
        now = as_utc(now)
        with self._lock:
            self._forget_old(now)
            mine = self._failures.get(self._key(client))
            return (mine is None or mine[1] < self.per_client) and (self._all is None or self._all[1] < self.total)

    def failed(self, client: str, now: datetime) -> None:
        """Count one wrong (or missing) code for the client and in the total."""
        now = as_utc(now)
        with self._lock:
            self._forget_old(now)
            key = self._key(client)
            start, count = self._failures.get(key, (now, 0))
            self._failures[key] = (start, count + 1)
            start, count = self._all or (now, 0)
            self._all = (start, count + 1)

    def succeeded(self, client: str) -> None:
        """A right code clears the client's count."""
        with self._lock:
            self._failures.pop(self._key(client), None)

    def _key(self, client: str) -> str:
        return hmac.new(self._secret, client.encode("utf-8", "replace"), hashlib.sha256).hexdigest()

    def _forget_old(self, now: datetime) -> None:
        expired = [key for key, (start, _) in self._failures.items() if start <= now - self.window]
        for key in expired:
            del self._failures[key]
        if self._all is not None and self._all[0] <= now - self.window:
            self._all = None
