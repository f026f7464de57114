"""Letting one more person see a case: the leader's grants and, in a confidential case, the affected's consent.

The case's leader (or the leader's leader) decides whom else to let see the whole case (K-H7). Two
things a leader cannot do: let the accused in (the accused sees only their hearing, K-H6, LAW-6), and,
once the case is confidential, let in anyone the affected employee has not agreed to. The affected
gives and takes back that agreement on their own case page; taking it back ends the access it allowed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases import store
from engine.cases.involvement import involvement
from engine.clock import as_utc
from engine.errors import NotAllowed, NotFound, VaernError
from engine.models import AccessConsent, AccessGrant, Case
from engine.privacy.policy import LEADER_RELATIONS, level_for
from engine.unit_of_work import UnitsOfWork


class GrantRefused(VaernError):
    """The policy does not let this person be given access; `reason` is 'accused' or 'no_consent'."""

    def __init__(self, reason: str, person_id: str, message: str):
        self.reason = reason
        self.person_id = person_id
        super().__init__(message)


@dataclass(frozen=True)
class AccessGrantInfo:
    """A person the case's leader let see the whole case: who, by whom and when."""

    person_id: str
    granted_by: str
    granted_at: datetime


@dataclass(frozen=True)
class ConsentInfo:
    """A person the affected employee agrees may be let into their confidential case, and since when."""

    person_id: str
    given_at: datetime


class GrantService:
    """The leader's grants and the affected's consents."""

    def __init__(self, units: UnitsOfWork):
        self._units = units

    def grant_access(self, case_id: int, person_id: str, leader_id: str, now: datetime) -> None:
        """The case's leader lets one more person see the whole case; GrantRefused when the policy forbids it."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            _require_case_leader(s, case_id, leader_id, "only the case's leader can let others see it")
            uow.org.require_people([person_id])
            case = store.get_case(s, case_id)
            _refuse_the_accused(case, person_id, "the accused in a case cannot be given access to it")
            if case.confidential and s.get(AccessConsent, (case_id, person_id)) is None:
                raise GrantRefused("no_consent", person_id, "the case is confidential and the affected employee "
                                                            f"has not agreed that '{person_id}' may see it")
            s.merge(AccessGrant(case_id=case_id, person_id=person_id, granted_by=leader_id, granted_at=now))
            store.record(uow, now, leader_id, "access_granted", case_id, person=person_id)
            uow.commit()

    def access_grants(self, case_id: int, leader_id: str) -> list[AccessGrantInfo]:
        """Whom the case's leader let see the whole case, oldest first; only the leader may ask."""
        with self._units() as uow:
            _require_case_leader(uow.session, case_id, leader_id, "only the case's leader sees whom it was shared with")
            return grants_of(uow.session, case_id)

    def withdraw_access(self, case_id: int, person_id: str, leader_id: str, now: datetime) -> None:
        """The case's leader takes back a grant: the person sees the case only as their own part in it allows."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            _require_case_leader(s, case_id, leader_id, "only the case's leader can take access back")
            grant = s.get(AccessGrant, (case_id, person_id))
            if grant is None:
                raise NotFound(f"'{person_id}' has not been given access to case {case_id}")
            s.delete(grant)
            store.record(uow, now, leader_id, "access_withdrawn", case_id, person=person_id)
            uow.commit()

    def consent_to_access(self, case_id: int, person_id: str, employee_id: str, now: datetime) -> None:
        """The affected employee agrees that the case's leader may let `person_id` see their confidential case."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            case = _require_affected(s, case_id, employee_id)
            uow.org.require_people([person_id])
            _refuse_the_accused(case, person_id, "the accused cannot be let into the case, with consent or without")
            if s.get(AccessConsent, (case_id, person_id)) is None:
                s.add(AccessConsent(case_id=case_id, person_id=person_id, given_by=employee_id, given_at=now))
                store.record(uow, now, employee_id, "access_consented", case_id, person=person_id, role="employee")
            uow.commit()

    def withdraw_consent(self, case_id: int, person_id: str, employee_id: str, now: datetime) -> None:
        """The affected takes their agreement back; access the leader gave on the strength of it ends with it."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            case = _require_affected(s, case_id, employee_id)
            consent = s.get(AccessConsent, (case_id, person_id))
            if consent is None:
                raise NotFound(f"no consent for '{person_id}' in case {case_id}")
            s.delete(consent)
            store.record(uow, now, employee_id, "consent_withdrawn", case_id, person=person_id, role="employee")
            grant = s.get(AccessGrant, (case_id, person_id))
            if grant is not None and case.confidential:
                s.delete(grant)
                store.record(uow, now, employee_id, "access_withdrawn", case_id, person=person_id, role="employee")
            uow.commit()

    def access_consents(self, case_id: int, viewer_id: str) -> list[ConsentInfo]:
        """Whom the affected agreed may be let in, oldest first; for the affected and the case's leader."""
        with self._units() as uow:
            relations = involvement(uow.session, viewer_id, case_id)
            if "party:employee" not in relations and not relations & LEADER_RELATIONS:
                raise NotAllowed("only the affected employee and the case's leader see the consents")
            return consents_of(uow.session, case_id)



def grants_of(s: Session, case_id: int) -> list[AccessGrantInfo]:
    """Whom the case's leader let see the whole case, oldest first (no check of who asks)."""
    rows = s.scalars(select(AccessGrant).where(AccessGrant.case_id == case_id)
                     .order_by(AccessGrant.granted_at, AccessGrant.person_id))
    return [AccessGrantInfo(g.person_id, g.granted_by, as_utc(g.granted_at)) for g in rows]


def consents_of(s: Session, case_id: int) -> list[ConsentInfo]:
    """Whom the affected agreed may be let in, oldest first (no check of who asks)."""
    rows = s.scalars(select(AccessConsent).where(AccessConsent.case_id == case_id)
                     .order_by(AccessConsent.given_at, AccessConsent.person_id))
    return [ConsentInfo(c.person_id, as_utc(c.given_at)) for c in rows]


def viewer_level(s: Session, case: Case, viewer_id: str, relations: set[str] | None = None) -> str:
    """The viewer's level on a case: the policy over their relations, a grant, and the affected's consent to it."""
    granted = s.get(AccessGrant, (case.id, viewer_id)) is not None
    consented = granted and s.get(AccessConsent, (case.id, viewer_id)) is not None
    if relations is None:
        relations = involvement(s, viewer_id, case.id)
    return level_for(case.kind, case.confidential, relations, granted, consented)


def _require_case_leader(s: Session, case_id: int, person_id: str, message: str) -> None:
    if not involvement(s, person_id, case_id) & LEADER_RELATIONS:
        raise NotAllowed(message)


def _require_affected(s: Session, case_id: int, person_id: str) -> Case:
    case = store.get_case(s, case_id)
    if (case.parties or {}).get("employee_id") != person_id:
        raise NotAllowed("only the affected employee gives or takes back consent")
    return case


def _refuse_the_accused(case: Case, person_id: str, message: str) -> None:
    if (case.parties or {}).get("accused_id") == person_id:
        raise GrantRefused("accused", person_id, message)
