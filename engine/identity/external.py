"""Single sign-on identities: who a provider's verified claims name, matched once on a claim, then by (issuer, subject).

The web checks the provider's tokens (signature, issuer, audience, nonce, expiry); the engine decides who the
person is. On the first log-in the claim named in the settings (the employee number) must name a person of the
organisation; from then on the provider's stable (issuer, subject) pair does, so a changed e-mail or a reused
employee number never lets one person in as another. E-mail is never used to match.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from engine.cases import store
from engine.cases.results import PersonInfo
from engine.clock import as_utc
from engine.db import begin_writing
from engine.errors import SignInRefused
from engine.models import Account, ExternalIdentity, Person
from engine.org.service import person_info
from engine.unit_of_work import UnitsOfWork

MAX_CLAIM_LENGTH = 300


@dataclass(frozen=True)
class ClaimRules:
    """Which claim matches a person, and which group or role in which claim grants administrator and process owner."""

    match_claim: str = "employee_id"
    roles_claim: str = "groups"
    admin_value: str | None = None
    process_owner_value: str | None = None


def holds(claims: dict[str, Any], claim: str, value: str | None) -> bool:
    """True if the claim (a list or a string of space-separated values) holds `value`."""
    if not value:
        return False
    held = claims.get(claim)
    if isinstance(held, str):
        return value in held.split()
    return isinstance(held, (list, tuple)) and value in [str(v) for v in held]


class ExternalIdentities:
    """Log-ins through an OpenID Connect provider, after the web has verified its ID token."""

    def __init__(self, units: UnitsOfWork, rules: ClaimRules):
        self._units = units
        self._rules = rules

    def sign_in_external(self, issuer: str, claims: dict[str, Any], now: datetime) -> PersonInfo:
        """The person a verified ID token names; their admin and process-owner flags follow the claims when
        the settings name a value for them. SignInRefused for nobody, someone who left, or an identity mix-up."""
        now = as_utc(now)
        subject = str(claims.get("sub") or "")
        if not subject or len(subject) > MAX_CLAIM_LENGTH or len(issuer) > MAX_CLAIM_LENGTH:
            raise SignInRefused("no_subject")
        with self._units() as uow:
            s = uow.session
            begin_writing(s.connection())
            identity = s.get(ExternalIdentity, (issuer, subject))
            first = identity is None
            if first:
                person = self._match(s, issuer, claims)
                identity = ExternalIdentity(issuer=issuer, subject=subject, person_id=person.id, first_seen=now,
                                            last_seen=now)
                s.add(identity)
            else:
                person = s.get(Person, identity.person_id)
                identity.last_seen = now
            if not person.active:
                store.record(uow, now, person.id, "sign_in_refused", reason="left", issuer=issuer)
                uow.commit()
                raise SignInRefused("left", person.id)
            account = s.get(Account, person.id)
            if account is None:
                # No local password: "" never matches one (a password log-in checks a hash of the right form).
                account = Account(person_id=person.id, password_hash="", is_admin=False, is_process_owner=False,
                                  session_generation=0)
                s.add(account)
            rules = self._rules
            if rules.admin_value:
                account.is_admin = holds(claims, rules.roles_claim, rules.admin_value)
            if rules.process_owner_value:
                account.is_process_owner = holds(claims, rules.roles_claim, rules.process_owner_value)
            s.flush()
            store.record(uow, now, person.id, "signed_in_external", person=person.id, issuer=issuer,
                         first=first, admin=account.is_admin, process_owner=account.is_process_owner)
            info = person_info(s, person.id)
            uow.commit()
            return info

    def unlink(self, person_id: str, user: str, now: datetime) -> int:
        """Forget a person's provider identities and end their sessions: the next log-in is matched on the claim
        again (a re-created account at the provider). Returns how many were forgotten."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            uow.org.require_people([person_id])
            subjects = [tuple(r) for r in s.execute(select(ExternalIdentity.issuer, ExternalIdentity.subject)
                                                     .where(ExternalIdentity.person_id == person_id))]
            s.execute(delete(ExternalIdentity).where(ExternalIdentity.person_id == person_id))
            s.execute(update(Account).where(Account.person_id == person_id)
                      .values(session_generation=Account.session_generation + 1))
            store.record(uow, now, user, "external_identity_unlinked", person=person_id,
                         identities=[f"{issuer} {subject}" for issuer, subject in subjects])
            uow.commit()
            return len(subjects)

    def _match(self, s, issuer: str, claims: dict[str, Any]) -> Person:
        value = claims.get(self._rules.match_claim)
        if value is None or isinstance(value, (list, dict)) or not str(value).strip():
            raise SignInRefused("no_match_claim", self._rules.match_claim)
        person = s.get(Person, str(value).strip()[:MAX_CLAIM_LENGTH])
        if person is None:
            raise SignInRefused("unknown_person", str(value)[:100])
        taken = s.scalar(select(ExternalIdentity.subject).where(ExternalIdentity.issuer == issuer,
                                                                ExternalIdentity.person_id == person.id))
        if taken is not None:
            # The person already logs in as another subject of this provider: a second account claiming the
            # same employee number is someone else until an administrator says otherwise.
            raise SignInRefused("identity_taken", person.id)
        return person
