"""Local accounts: setting passwords and roles, logging in, ending sessions, and who is signed in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.cases import store
from engine.cases.results import PersonInfo
from engine.clock import as_utc
from engine.errors import InvalidInput, UnknownPerson
from engine.identity.passwords import MIN_PASSWORD_LENGTH, check_password, hash_password, unknown_account_hash
from engine.models import Account, Notice, Person
from engine.org.service import person_info
from engine.unit_of_work import UnitsOfWork


@dataclass(frozen=True)
class SignedIn:
    """The person a request is made by, with what every page's header shows of them."""

    person: PersonInfo
    unread_notices: int


class AccountService:
    """Passwords, log-in and sessions of local accounts."""

    def __init__(self, units: UnitsOfWork, local_passwords: bool = True, break_glass: frozenset[str] = frozenset()):
        self._units = units
        self._local_passwords = local_passwords
        self._break_glass = break_glass

    def set_password(self, person_id: str, password: str, now: datetime, admin: bool | None = None,
                     process_owner: bool | None = None, user: str = "admin") -> None:
        """Create or change a person's local account; optionally grant or remove admin/process-owner."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput({"password": f"mindst {MIN_PASSWORD_LENGTH} tegn (at least {MIN_PASSWORD_LENGTH} characters)"})
        with self._units() as uow:
            s = uow.session
            uow.org.require_people([person_id])
            account = s.get(Account, person_id) or Account(person_id=person_id, is_admin=False, is_process_owner=False,
                                                           session_generation=0)
            if account.password_hash and not check_password(account.password_hash, password):
                # A new password ends every session made with the old one (setting the same one again changes
                # only the roles given with it).
                account.session_generation = (account.session_generation or 0) + 1
            account.password_hash = hash_password(password)
            if admin is not None:
                account.is_admin = admin
            if process_owner is not None:
                account.is_process_owner = process_owner
            s.add(account)
            s.flush()
            store.record(uow, as_utc(now), user, "account_set", person=person_id, admin=account.is_admin,
                         process_owner=account.is_process_owner)
            uow.commit()

    def end_sessions(self, person_id: str, user: str, now: datetime) -> None:
        """End every session of a person at once (log-out, or an administrator's "log this person out")."""
        with self._units() as uow:
            s = uow.session
            uow.org.require_people([person_id])
            s.execute(update(Account).where(Account.person_id == person_id)
                      .values(session_generation=Account.session_generation + 1))
            store.record(uow, as_utc(now), user, "sessions_ended", person=person_id)
            uow.commit()

    def authenticate(self, login: str, password: str) -> PersonInfo | None:
        """The person whose id or e-mail is `login` if the password matches their account, else None.

        A name without an account costs the same password check as one with, so the time an answer takes
        never tells whether an account exists.
        """
        with self._units() as uow:
            s = uow.session
            person_id = login_person_id(s, login)
            account = s.get(Account, person_id) if person_id else None
            if account is None:
                check_password(unknown_account_hash(), password)
                return None
            if not check_password(account.password_hash, password):
                return None
            person = person_info(s, person_id)
            if not person.active:
                return None  # a person who left logs in no more, with a password kept or not
            if not self._local_passwords and person_id not in self._break_glass:
                return None  # single sign-on only: a password opens nothing but a break-glass account
            return person

    def login_person_id(self, login: str) -> str | None:
        """The id of the person whose id or e-mail is `login`, or None (what the log-in throttle counts by)."""
        with self._units() as uow:
            return login_person_id(uow.session, login)

    def signed_in(self, person_id: str) -> SignedIn | None:
        """The person of a session and their unread notices, in one read; None if they are no longer a person."""
        with self._units() as uow:
            try:
                person = person_info(uow.session, person_id)
            except UnknownPerson:
                return None
            if not person.active:
                return None
            unread = uow.session.scalar(select(func.count()).select_from(Notice).where(
                Notice.person_id == person_id, Notice.read_at.is_(None)))
            return SignedIn(person, unread or 0)


def login_person_id(s: Session, login: str) -> str | None:
    """The id of the person whose id or e-mail is `login`, or None."""
    if not login:
        return None
    return s.scalar(select(Person.id).where(Person.id == login)) or \
        s.scalar(select(Person.id).where(Person.email == login).limit(1))
