"""The difference between a directory file and the organisation as stored, and writing it in bulk.

The file is the whole organisation: a person it no longer names has left (deactivated, never deleted, as
cases name them), role holders are exactly those it lists. A unit it no longer names is kept, since cases
belong to it, but holds no roles any more. Writing uses one statement per kind of change (executemany), so
a sync of tens of thousands of people costs seconds, not a round trip per person.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from engine.models import OrgRevision, Person, RoleHolder, Unit
from engine.org.directory_file import DirectoryFile

_UNIT, _PERSON, _HOLDER = Unit.__table__, Person.__table__, RoleHolder.__table__


@dataclass(frozen=True)
class UnitChange:
    """A unit added, renamed or moved: its id and the values before and after (None where there was none)."""

    id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class PersonChange:
    """A person added, moved, changed, left or back: id, name, and the unit (or detail) before and after."""

    id: str
    name: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class RoleChange:
    """A role holder added or removed."""

    unit: str
    role: str
    person: str


@dataclass(frozen=True)
class OrgDiff:
    """What a sync changes, by kind; `revision` is the organisation's revision it was computed against."""

    revision: str
    units_added: tuple[UnitChange, ...] = ()
    units_renamed: tuple[UnitChange, ...] = ()
    units_moved: tuple[UnitChange, ...] = ()
    units_gone: tuple[UnitChange, ...] = ()
    people_added: tuple[PersonChange, ...] = ()
    people_moved: tuple[PersonChange, ...] = ()
    people_changed: tuple[PersonChange, ...] = ()
    people_left: tuple[PersonChange, ...] = ()
    people_back: tuple[PersonChange, ...] = ()
    roles_added: tuple[RoleChange, ...] = ()
    roles_removed: tuple[RoleChange, ...] = ()
    active_people: int = 0  # before the sync
    units_before: int = 0

    @property
    def empty(self) -> bool:
        """True when the file says what the organisation already is."""
        return not any(getattr(self, name) for name in CHANGE_KINDS)

    @property
    def removed_share(self) -> float:
        """The larger of the shares of active people leaving and of units no longer named (0 to 1)."""
        people = len(self.people_left) / self.active_people if self.active_people else 0.0
        units = len(self.units_gone) / self.units_before if self.units_before else 0.0
        return max(people, units)

    def counts(self) -> dict[str, int]:
        """How many changes of each kind (what the event log keeps)."""
        return {name: len(getattr(self, name)) for name in CHANGE_KINDS}


CHANGE_KINDS = ("units_added", "units_renamed", "units_moved", "units_gone", "people_added", "people_moved",
                "people_changed", "people_left", "people_back", "roles_added", "roles_removed")


@dataclass
class _Stored:
    units: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)  # id -> (name, kind, parent)
    # id -> (name, email, unit, active)
    people: dict[str, tuple[str, str | None, str | None, bool]] = field(default_factory=dict)
    roles: set[tuple[str, str, str]] = field(default_factory=set)


def _stored(session: Session) -> _Stored:
    stored = _Stored()
    for unit_id, name, kind, parent in session.execute(select(Unit.id, Unit.name, Unit.kind, Unit.parent_id)):
        stored.units[unit_id] = (name, kind, parent)
    for person_id, name, email, unit_id, active in session.execute(
            select(Person.id, Person.name, Person.email, Person.unit_id, Person.active)):
        stored.people[person_id] = (name, email, unit_id, bool(active))
    holders = select(RoleHolder.unit_id, RoleHolder.role, RoleHolder.person_id)
    stored.roles = {tuple(row) for row in session.execute(holders)}
    return stored


def diff_directory(session: Session, revision: str, directory: DirectoryFile) -> OrgDiff:
    """The changes that make the stored organisation what the directory file says (reads three tables)."""
    stored = _stored(session)
    units_added, renamed, moved = [], [], []
    for unit in directory.units.values():
        before = stored.units.get(unit.id)
        if before is None:
            units_added.append(UnitChange(unit.id, None, unit.name))
            continue
        if before[0] != unit.name or before[1] != unit.kind:
            renamed.append(UnitChange(unit.id, before[0], unit.name))
        if before[2] != unit.parent:
            moved.append(UnitChange(unit.id, before[2], unit.parent))
    gone = [UnitChange(unit_id, name, None) for unit_id, (name, _, _) in stored.units.items()
            if unit_id not in directory.units]
    added, people_moved, changed, back = [], [], [], []
    for person in directory.people.values():
        before = stored.people.get(person.id)
        if before is None:
            added.append(PersonChange(person.id, person.name, None, person.unit))
            continue
        name, email, unit_id, active = before
        if not active:
            back.append(PersonChange(person.id, person.name, unit_id, person.unit))
        if unit_id != person.unit:
            people_moved.append(PersonChange(person.id, person.name, unit_id, person.unit))
        if name != person.name or (email or None) != person.email:
            changed.append(PersonChange(person.id, person.name, f"{name} <{email or ''}>",
                                        f"{person.name} <{person.email or ''}>"))
    left = [PersonChange(person_id, name, unit_id, None) for person_id, (name, _, unit_id, active)
            in stored.people.items() if active and person_id not in directory.people]
    roles_added = [RoleChange(*key) for key in directory.roles - stored.roles]
    roles_removed = [RoleChange(*key) for key in stored.roles - directory.roles]
    return OrgDiff(
        revision, *(tuple(sorted(items, key=lambda c: c.id)) for items in (units_added, renamed, moved, gone)),
        *(tuple(sorted(items, key=lambda c: c.id)) for items in (added, people_moved, changed, left, back)),
        tuple(sorted(roles_added, key=_role_key)), tuple(sorted(roles_removed, key=_role_key)),
        sum(1 for p in stored.people.values() if p[3]), len(stored.units))


def _role_key(change: RoleChange) -> tuple[str, str, str]:
    return change.unit, change.role, change.person


def apply_directory(session: Session, directory: DirectoryFile, diff: OrgDiff) -> None:
    """Write the diff computed for this file: units, people, who left, role holders, and a new org revision."""
    connection = session.connection()
    units = directory.units
    if diff.units_added:  # parents after all new units exist, so the order in the file does not matter
        connection.execute(insert(_UNIT), [{"id": c.id, "name": units[c.id].name, "kind": units[c.id].kind,
                                            "parent_id": None} for c in diff.units_added])
    renamed = {c.id for c in diff.units_renamed}
    if renamed:
        connection.execute(update(_UNIT).where(_UNIT.c.id == bindparam("key"))
                           .values(name=bindparam("new_name"), kind=bindparam("new_kind")),
                           [{"key": i, "new_name": units[i].name, "new_kind": units[i].kind} for i in sorted(renamed)])
    parented = [c.id for c in diff.units_moved] + [c.id for c in diff.units_added if units[c.id].parent]
    if parented:
        connection.execute(update(_UNIT).where(_UNIT.c.id == bindparam("key")).values(parent_id=bindparam("parent")),
                           [{"key": i, "parent": units[i].parent} for i in parented])
    people = directory.people
    if diff.people_added:
        connection.execute(insert(_PERSON), [{"id": c.id, "name": people[c.id].name, "email": people[c.id].email,
                                              "unit_id": people[c.id].unit, "active": True}
                                             for c in diff.people_added])
    touched = sorted({c.id for c in diff.people_moved} | {c.id for c in diff.people_changed}
                     | {c.id for c in diff.people_back})
    if touched:
        connection.execute(update(_PERSON).where(_PERSON.c.id == bindparam("key")).values(
            name=bindparam("new_name"), email=bindparam("new_email"), unit_id=bindparam("new_unit"), active=True),
            [{"key": i, "new_name": people[i].name, "new_email": people[i].email, "new_unit": people[i].unit}
             for i in touched])
    if diff.people_left:
        connection.execute(update(_PERSON).where(_PERSON.c.id == bindparam("key")).values(active=False),
                           [{"key": c.id} for c in diff.people_left])
    if diff.roles_removed:
        connection.execute(delete(_HOLDER).where(_HOLDER.c.unit_id == bindparam("u"), _HOLDER.c.role == bindparam("r"),
                                                 _HOLDER.c.person_id == bindparam("p")),
                           [{"u": c.unit, "r": c.role, "p": c.person} for c in diff.roles_removed])
    if diff.roles_added:
        connection.execute(insert(_HOLDER), [{"unit_id": c.unit, "role": c.role, "person_id": c.person}
                                             for c in diff.roles_added])
    # A new token tells every process its snapshot of the organisation is out of date.
    session.execute(update(OrgRevision).where(OrgRevision.id == 1).values(revision=uuid.uuid4().hex))
