"""The organisation's commands and reads: import it, resolve roles, list and find its people and units."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases import store
from engine.cases.results import PersonInfo, UnitInfo
from engine.clock import as_utc
from engine.errors import OrganisationError, UnknownPerson
from engine.models import Account, Person, RoleHolder, Unit
from engine.org import files
from engine.org.directory import PersonChoice, PersonMatch
from engine.unit_of_work import UnitsOfWork


class OrgService:
    """Units, people and role holders; every read sees one organisation revision."""

    def __init__(self, units: UnitsOfWork):
        self._units = units

    def import_org(self, path: Path, user: str, now: datetime) -> dict[str, int]:
        """Import units, people and role holders from a YAML or CSV file; all or nothing."""
        org_file = files.read_org_file(path)
        with self._units() as uow:
            problems = files.check_org(uow.session, org_file)
            if problems:
                raise OrganisationError(problems)
            counts = files.apply_org(uow.session, org_file)
            store.record(uow, as_utc(now), user, "org_imported", file=path.name, **counts)
            uow.commit()
        return counts

    def resolve(self, role: str, unit_id: str, parties: dict[str, Any] | None = None) -> list[str]:
        """Who would get a task of `role` in a case of `unit_id` with these parties."""
        with self._units() as uow:
            return uow.org.resolve(role, unit_id, parties or {})

    def people(self) -> list[PersonInfo]:
        """Everyone in the organisation with the roles they hold, by name (three queries, whatever the size)."""
        with self._units() as uow:
            s = uow.session
            roles: dict[str, list[tuple[str, str]]] = {}
            for person_id, unit_id, role in s.execute(select(RoleHolder.person_id, RoleHolder.unit_id, RoleHolder.role)
                                                      .order_by(RoleHolder.unit_id)):
                roles.setdefault(person_id, []).append((unit_id, role))
            accounts = {a.person_id: a for a in s.scalars(select(Account))}
            return [PersonInfo(pid, name, email, unit_id, tuple(roles.get(pid, ())),
                               bool(accounts.get(pid) and accounts[pid].is_admin),
                               bool(accounts.get(pid) and accounts[pid].is_process_owner), pid in accounts,
                               active=bool(active))
                    for pid, name, email, unit_id, active in s.execute(
                        select(Person.id, Person.name, Person.email, Person.unit_id, Person.active)
                        .order_by(Person.name))]

    def person_names(self, person_ids) -> dict[str, str]:
        """Names of the given people, by id (unknown ids are left out)."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        with self._units() as uow:
            rows = uow.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
            return {person_id: name for person_id, name in rows}

    def find_people(self, text: str, limit: int = 20) -> list[PersonMatch]:
        """Up to `limit` people whose name or id holds every word of `text` (for a person field's suggestions)."""
        with self._units() as uow:
            return uow.org.directory.find(text, limit)

    def choose_person(self, text: str) -> PersonChoice:
        """The person a person field's text names (an id, "Name (id)" or a name only one person has)."""
        with self._units() as uow:
            return uow.org.directory.choose(text)

    def person_match(self, person_id: str) -> PersonMatch | None:
        """The person with this id as a suggestion shows them, or None."""
        with self._units() as uow:
            return uow.org.directory.match(person_id)

    def person(self, person_id: str) -> PersonInfo:
        """One person and their roles."""
        with self._units() as uow:
            return person_info(uow.session, person_id)

    def units(self) -> list[UnitInfo]:
        """Every unit, by name."""
        with self._units() as uow:
            return [UnitInfo(u.id, u.name, u.kind, u.parent_id)
                    for u in uow.session.scalars(select(Unit).order_by(Unit.name))]


def person_info(s: Session, person_id: str) -> PersonInfo:
    """One person with the roles they hold and their account's flags; UnknownPerson if there is none."""
    person = s.get(Person, person_id)
    if person is None:
        raise UnknownPerson(f"no person with id '{person_id}'")
    roles = tuple(s.execute(select(RoleHolder.unit_id, RoleHolder.role)
                            .where(RoleHolder.person_id == person_id).order_by(RoleHolder.unit_id)))
    account = s.get(Account, person_id)
    return PersonInfo(person.id, person.name, person.email, person.unit_id,
                      tuple((u, r) for u, r in roles), bool(account and account.is_admin),
                      bool(account and account.is_process_owner), account is not None,
                      (account.session_generation or 0) if account else 0, bool(person.active))
