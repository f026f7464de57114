"""Log-in attempts per person and per client address in a fixed window, counted atomically in the database.

Every attempt is counted before its password is checked, in one statement per key that adds one and
returns the new count (an upsert: a row lock on PostgreSQL, the write lock on SQLite). So forty parallel
attempts for one person get exactly as many password checks as the limit allows, in every web process
and thread together. A person is counted by who they are, whatever name they typed (id or e-mail); an
unknown name by itself. An address gets more attempts than a person: a hospital's staff may all reach the
service through one proxy address, and a correct password gives the address its attempt back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.clock import as_utc
from engine.models import LoginCounter

_COUNTER = LoginCounter.__table__


@dataclass(frozen=True)
class LoginAttempt:
    """One counted attempt: whether its password may be checked, and the keys it was counted under."""

    allowed: bool
    person_key: str
    address_key: str


class LoginThrottle:
    """Counts log-in attempts through the service's units of work; `now` comes from the caller."""

    def __init__(self, service, per_login: int, per_address: int, window: timedelta):
        self.service = service
        self.per_login = per_login
        self.per_address = per_address
        self.window = window

    def attempt(self, login: str, address: str, now: datetime) -> LoginAttempt:
        """Count an attempt for the person (or unknown name) and the address; allowed while both are within limits.

        An attempt over a limit is not counted: it checks no password, so it must not lengthen the wait.
        """
        now = as_utc(now)
        person_key = _person_key(self.service.login_person_id(login), login)
        address_key = f"ip:{address}"[:300]
        with self.service.uow() as uow:
            s = uow.session
            connection = s.connection()
            # Keys always in the same order, so two attempts never wait for each other's rows crosswise.
            person_count = _count_one(connection, person_key, now, self.window)
            address_count = _count_one(connection, address_key, now, self.window)
            allowed = person_count <= self.per_login and address_count <= self.per_address
            if allowed:
                s.execute(delete(LoginCounter).where(LoginCounter.window_start <= now - self.window))
                uow.commit()
        return LoginAttempt(allowed, person_key, address_key)

    def succeeded(self, attempt: LoginAttempt) -> None:
        """A correct password clears the person's count and gives the address back the attempt it used."""
        with self.service.uow() as uow:
            s = uow.session
            s.execute(delete(LoginCounter).where(LoginCounter.key == attempt.person_key))
            s.execute(update(LoginCounter).where(LoginCounter.key == attempt.address_key, LoginCounter.count > 0)
                      .values(count=LoginCounter.count - 1))
            uow.commit()


def _person_key(person_id: str | None, login: str) -> str:
    # Cut to the column's width: a name longer than any real login is still counted, not refused.
    return (f"person:{person_id}" if person_id else f"login:{login.strip().lower()}")[:300]


def _count_one(connection, key: str, now: datetime, window: timedelta) -> int:
    """Add one to the key's count in the current window (a new window once the old one has passed)."""
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(_COUNTER).values(key=key, window_start=now, count=1)
    expired = _COUNTER.c.window_start <= now - window
    statement = statement.on_conflict_do_update(index_elements=[_COUNTER.c.key], set_={
        "count": case((expired, 1), else_=_COUNTER.c.count + 1),
        "window_start": case((expired, now), else_=_COUNTER.c.window_start),
    }).returning(_COUNTER.c.count)
    return connection.execute(statement).scalar_one()
