"""Tokens for the REST API: created, shown once, kept only as a hash, expiring and revocable.

A personal access token acts as the person who made it. A client (a system such as the region's HR
or VTC) is registered by an administrator with the person it acts as (its service account in the
organisation) and the scopes it may use; it trades its id and secret for a short-lived bearer token
(OAuth2 client credentials). Either way every read goes through the access policy as that person.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from engine.cases.results import PersonInfo
from engine.clock import as_utc
from engine.errors import InvalidInput, NotAllowed, NotFound, UnknownPerson
from engine.identity.service import person_info
from engine.models import ApiClient, ApiToken, Person
from engine.unit_of_work import UnitsOfWork

SCOPES = ("tasks:read", "tasks:write", "cases:read", "cases:start", "definitions:deploy")
PERSONAL_PREFIX = "vaern_pat_"
CLIENT_PREFIX = "vaern_cc_"
MAX_PERSONAL_DAYS = 365
CLIENT_TOKEN_LIFETIME = timedelta(hours=1)
# A token's last use is written at most this often: a busy client must not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner sees it in a list: never the token itself."""

    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    client_id: str | None = None

    def active(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and as_utc(now) < self.expires_at


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: `secret` is shown this once and stored nowhere."""

    info: TokenInfo
    secret: str


@dataclass(frozen=True)
class ApiCaller:
    """Who a valid bearer token speaks for, and what it may do."""

    token_id: int
    person: PersonInfo
    scopes: frozenset[str]
    client_id: str | None = None

    @property
    def person_id(self) -> str:
        """The id of the person the token acts as."""
        return self.person.id


@dataclass(frozen=True)
class ApiClientInfo:
    """A registered client: its id, the person it acts as and its scopes (never its secret)."""

    id: str
    name: str
    person_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def token_hash(secret: str) -> str:
    """The stored form of a token or client secret (SHA-256: they are random, so no salt or stretching)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _scopes(wanted, allowed=SCOPES) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(wanted))
    unknown = [s for s in wanted if s not in allowed]
    if unknown:
        raise InvalidInput({"scopes": f"ukendt eller ikke tilladt: {', '.join(unknown)} (unknown or not allowed)"})
    if not wanted:
        raise InvalidInput({"scopes": "vælg mindst ét (choose at least one)"})
    return wanted


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, tuple(row.scopes or ()), row.created_at, row.expires_at,
                     row.revoked_at, row.last_used_at, row.client_id)


class ApiTokens:
    """Personal access tokens, clients and the tokens they are issued; checking a bearer token."""

    def __init__(self, units: UnitsOfWork):
        self._units = units

    def create_personal_token(self, person_id: str, name: str, scopes, days: int, now: datetime) -> IssuedToken:
        """A new token acting as the person, expiring after `days`; the secret is returned once."""
        now = as_utc(now)
        name = (name or "").strip()
        errors = {}
        if not name or len(name) > 200:
            errors["name"] = "skal udfyldes, højst 200 tegn (required, at most 200 characters)"
        if not isinstance(days, int) or not 1 <= days <= MAX_PERSONAL_DAYS:
            errors["days"] = f"mellem 1 og {MAX_PERSONAL_DAYS} dage (between 1 and {MAX_PERSONAL_DAYS} days)"
        try:
            scopes = _scopes(scopes)
        except InvalidInput as exc:
            errors.update(exc.errors)
        if errors:
            raise InvalidInput(errors)
        with self._units() as uow:
            if uow.session.get(Person, person_id) is None:
                raise UnknownPerson(person_id)
            issued = self._issue(uow.session, PERSONAL_PREFIX, person_id, None, name, scopes, now,
                                 now + timedelta(days=days))
            uow.commit()
        return issued

    def tokens_of(self, person_id: str) -> list[TokenInfo]:
        """The person's own personal tokens, newest first."""
        with self._units() as uow:
            rows = uow.session.scalars(select(ApiToken).where(ApiToken.person_id == person_id,
                                                              ApiToken.client_id.is_(None))
                                       .order_by(ApiToken.id.desc()))
            return [_info(r) for r in rows]

    def revoke_token(self, token_id: int, person_id: str, now: datetime) -> None:
        """Revoke one of the person's own tokens; NotFound for anyone else's (the same answer as for none)."""
        with self._units() as uow:
            row = uow.session.get(ApiToken, token_id)
            if row is None or row.person_id != person_id or row.client_id is not None:
                raise NotFound("no such token")
            if row.revoked_at is None:
                row.revoked_at = as_utc(now)
            uow.commit()

    def register_client(self, client_id: str, name: str, person_id: str, scopes, user: str,
                        now: datetime) -> tuple[ApiClientInfo, str]:
        """Register (or re-key) a client acting as `person_id`; returns its info and its new secret, shown once."""
        now = as_utc(now)
        scopes = _scopes(scopes)
        if not client_id or len(client_id) > 100 or not client_id.replace("-", "").replace("_", "").isalnum():
            raise InvalidInput({"client_id": "bogstaver, tal, - og _ (letters, digits, - and _)"})
        secret = secrets.token_urlsafe(32)
        with self._units() as uow:
            s = uow.session
            if s.get(Person, person_id) is None:
                raise UnknownPerson(person_id)
            row = s.get(ApiClient, client_id)
            if row is None:
                row = ApiClient(id=client_id)
                s.add(row)
            row.name, row.person_id, row.scopes = name or client_id, person_id, list(scopes)
            row.secret_hash, row.created_at, row.created_by, row.revoked_at = token_hash(secret), now, user, None
            # A new secret ends the tokens issued under the old one.
            s.execute(update(ApiToken).where(ApiToken.client_id == client_id, ApiToken.revoked_at.is_(None))
                      .values(revoked_at=now))
            uow.commit()
            info = ApiClientInfo(row.id, row.name, row.person_id, tuple(row.scopes), row.created_at, None)
        return info, secret

    def revoke_client(self, client_id: str, now: datetime) -> None:
        """End a client: its secret and every token issued to it stop working."""
        now = as_utc(now)
        with self._units() as uow:
            row = uow.session.get(ApiClient, client_id)
            if row is None:
                raise NotFound("no such client")
            row.revoked_at = now
            uow.session.execute(update(ApiToken).where(ApiToken.client_id == client_id,
                                                       ApiToken.revoked_at.is_(None)).values(revoked_at=now))
            uow.commit()

    def clients(self) -> list[ApiClientInfo]:
        """Every registered client."""
        with self._units() as uow:
            return [ApiClientInfo(r.id, r.name, r.person_id, tuple(r.scopes or ()), r.created_at, r.revoked_at)
                    for r in uow.session.scalars(select(ApiClient).order_by(ApiClient.id))]

    def issue_client_token(self, client_id: str, secret: str, scopes, now: datetime) -> IssuedToken:
        """Trade a client's id and secret for a bearer token with the asked scopes (all of its own when none)."""
        now = as_utc(now)
        with self._units() as uow:
            row = uow.session.get(ApiClient, client_id or "")
            given = token_hash(secret or "")
            if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_hash, given):
                raise NotAllowed("invalid client")
            try:
                granted = _scopes(scopes, tuple(row.scopes)) if scopes else tuple(row.scopes)
            except InvalidInput:
                raise NotAllowed("scope not granted to this client") from None
            issued = self._issue(uow.session, CLIENT_PREFIX, row.person_id, row.id, row.name, granted, now,
                                 now + CLIENT_TOKEN_LIFETIME)
            uow.commit()
        return issued

    def authenticate(self, secret: str, now: datetime) -> ApiCaller | None:
        """The caller a bearer token speaks for, or None when it is unknown, expired or revoked."""
        now = as_utc(now)
        if not secret or not secret.startswith((PERSONAL_PREFIX, CLIENT_PREFIX)) or len(secret) > 200:
            return None
        with self._units() as uow:
            row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
            if row is None or row.revoked_at is not None or now >= row.expires_at:
                return None
            try:
                person = person_info(uow.session, row.person_id)
            except UnknownPerson:
                return None  # the person left the organisation: their tokens open nothing
            caller = ApiCaller(row.id, person, frozenset(row.scopes or ()), row.client_id)
            if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
                row.last_used_at = now
                uow.commit()
        return caller

    def _issue(self, s, prefix: str, person_id: str, client_id: str | None, name: str, scopes, now: datetime,
               expires_at: datetime) -> IssuedToken:
        secret = prefix + secrets.token_urlsafe(32)
        row = ApiToken(token_hash=token_hash(secret), prefix=secret[:len(prefix) + 6], person_id=person_id,
                       client_id=client_id, name=name, scopes=list(scopes), created_at=now, expires_at=expires_at)
        s.add(row)
        s.flush()
        return IssuedToken(_info(row), secret)
