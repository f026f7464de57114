"""The organisation as one in-memory snapshot per revision: role resolution without a query per unit.

Every write to the organisation (`org.apply_org`) gives `org_revision` a new random token in the same
transaction (never reused, even by a write that rolls back). A command reads that one value and uses the snapshot of this process if it is of the same revision,
so an import in any process is seen by the next command everywhere, and resolving who gets a task
costs no queries at all.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import UnknownPerson, UnknownUnit
from engine.models import OrgRevision, Person, RoleHolder, Unit
from engine.org.directory import PeopleDirectory
from engine.org.roles import PERSON_ROLES

MAX_DEPTH = 50  # deeper than any real organisation; stops a corrupted tree from looping


@dataclass(frozen=True)
class OrgSnapshot:
    """Units (by parent, with names), role holders and people (e-mail, name, unit), as of one revision."""

    revision: str
    parents: dict[str, str | None]
    holders: dict[tuple[str, str], tuple[str, ...]]
    emails: dict[str, str | None]
    names: dict[str, str]
    person_units: dict[str, str | None]
    unit_names: dict[str, str]
    inactive: frozenset[str] = frozenset()  # people who left: named in old cases, never suggested for new ones

    @cached_property
    def directory(self) -> PeopleDirectory:
        """Everyone still in the organisation, for finding a person by what someone typed (built on first use)."""
        names = {p: name for p, name in self.names.items() if p not in self.inactive} if self.inactive else self.names
        return PeopleDirectory(names, {person: self.unit_names.get(unit) if unit else None
                                       for person, unit in self.person_units.items() if person in names})

    def has_unit(self, unit_id: str) -> bool:
        """True if a unit has this id."""
        return unit_id in self.parents

    def has_person(self, person_id: str) -> bool:
        """True if a person has this id."""
        return person_id in self.emails

    def require_people(self, person_ids: list[str]) -> None:
        """Raise UnknownPerson naming the first id that is not a person."""
        for person_id in person_ids:
            if person_id not in self.emails:
                raise UnknownPerson(f"no person with id '{person_id}'")

    def unit_chain(self, unit_id: str) -> list[str]:
        """The unit and its ancestors up to the root, nearest first."""
        if unit_id not in self.parents:
            raise UnknownUnit(f"no unit with id '{unit_id}'")
        chain: list[str] = []
        current: str | None = unit_id
        while current is not None and current in self.parents and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = self.parents[current]
        return chain

    def resolve(self, role: str, unit_id: str, parties: dict[str, Any]) -> list[str]:
        """The people who should do a task of `role` for a case in `unit_id` with these parties.

        Person roles come from the case (`<role>_id`). Unit roles walk up the tree where a unit lacks
        one. Every lane but `accused` skips the accused: an accused leader is replaced by the leader's
        leader. `leaders_leader` is the leader above whoever leads the case.
        """
        accused = parties.get("accused_id")
        if role in PERSON_ROLES:
            person = parties.get(f"{role}_id")
            return [person] if person else []
        if role == "leaders_leader":
            _, leader_unit = self._walk_up("leader", unit_id, accused)
            parent = self.parents.get(leader_unit) if leader_unit else None
            return self._walk_up("leader", parent, accused)[0] if parent else []
        return self._walk_up(role, unit_id, accused)[0]

    def _walk_up(self, role: str, unit_id: str, skip: str | None) -> tuple[list[str], str | None]:
        for unit in self.unit_chain(unit_id):
            found = [p for p in self.holders.get((unit, role), ()) if p != skip]
            if found:
                return found, unit
        return [], None

    def units_holding(self, role: str, within: str) -> list[str]:
        """Ids of the units in the subtree of `within` (itself included) where someone holds `role`."""
        children: dict[str | None, list[str]] = {}
        for unit_id, parent_id in self.parents.items():
            children.setdefault(parent_id, []).append(unit_id)
        subtree, stack = [], [within]
        while stack:
            current = stack.pop()
            subtree.append(current)
            stack.extend(children.get(current, []))
        return sorted(u for u in subtree if self.holders.get((u, role)))


def load_snapshot(session: Session, revision: str) -> OrgSnapshot:
    """Read the whole organisation (three queries) as the snapshot of `revision`."""
    parents, unit_names = {}, {}
    for unit_id, parent_id, name in session.execute(select(Unit.id, Unit.parent_id, Unit.name)):
        parents[unit_id], unit_names[unit_id] = parent_id, name
    holders: dict[tuple[str, str], list[str]] = {}
    for unit_id, role, person_id in session.execute(select(RoleHolder.unit_id, RoleHolder.role, RoleHolder.person_id)):
        holders.setdefault((unit_id, role), []).append(person_id)
    emails, names, person_units, inactive = {}, {}, {}, set()
    for person_id, email, name, unit_id, active in session.execute(
            select(Person.id, Person.email, Person.name, Person.unit_id, Person.active)):
        emails[person_id], names[person_id], person_units[person_id] = email, name, unit_id
        if not active:
            inactive.add(person_id)
    return OrgSnapshot(revision, parents, {key: tuple(sorted(set(people))) for key, people in holders.items()}, emails,
                       names, person_units, unit_names, frozenset(inactive))


ORG_REVISION = select(OrgRevision.__table__.c.revision).where(OrgRevision.__table__.c.id == 1)


class OrgCache:
    """This process's snapshot, replaced when the stored revision moves on."""

    def __init__(self) -> None:
        self._snapshot: OrgSnapshot | None = None
        self._lock = threading.Lock()

    def current(self, session: Session, revision: str | None = None) -> OrgSnapshot:
        """The organisation as the session's transaction sees it; `revision` if the caller already read it.

        Costs one query when the snapshot is fresh, none when the revision came with another query.
        """
        if revision is None:
            revision = session.connection().execute(ORG_REVISION).scalar() or ""
        snapshot = self._snapshot
        if snapshot is None or snapshot.revision != revision:
            snapshot = load_snapshot(session, revision)
            with self._lock:
                self._snapshot = snapshot
        return snapshot
