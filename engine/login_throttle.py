"""Failed log-ins per login name and per client address in a sliding window, counted in the database.

Every web process (and every thread in it) counts the same attempts, so running several workers does
not multiply the guesses an attacker gets. An address gets more attempts than a name: a hospital's
staff may all reach the service through one proxy address.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from .clock import as_utc
from .models import LoginFailure


class LoginThrottle:
    """Counts failed log-ins through the service's units of work; `now` comes from the caller."""

    def __init__(self, service, per_login: int, per_address: int, window: timedelta):
        self.service = service
        self.limits = {"login": per_login, "ip": per_address}
        self.window = window

    def blocked(self, login: str, address: str, now: datetime) -> bool:
        """True when the login name or the address has used up its failed attempts in the window."""
        keys = _keys(login, address)
        with self.service.uow() as uow:
            counts = dict(uow.session.execute(
                select(LoginFailure.key, func.count()).where(LoginFailure.key.in_(keys),
                                                             LoginFailure.at > as_utc(now) - self.window)
                .group_by(LoginFailure.key)).all())
        return any(counts.get(key, 0) >= self.limits[key.split(":", 1)[0]] for key in keys)

    def failed(self, login: str, address: str, now: datetime) -> None:
        """Count one failed attempt for the login name and for the address; forget those past the window."""
        now = as_utc(now)
        with self.service.uow() as uow:
            s = uow.session
            s.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window))
            s.execute(insert(LoginFailure), [{"key": key, "at": now} for key in _keys(login, address)])
            uow.commit()

    def succeeded(self, login: str) -> None:
        """A correct password clears the login name's count (the address keeps its own)."""
        with self.service.uow() as uow:
            uow.session.execute(delete(LoginFailure).where(LoginFailure.key == _keys(login, "")[0]))
            uow.commit()


def _keys(login: str, address: str) -> tuple[str, str]:
    # Cut to the column's width: a name longer than any real login is still counted, not refused.
    return f"login:{login.lower()}"[:300], f"ip:{address}"[:300]
