"""The organisation: units in a tree, people, role holders; role resolution; import from YAML/CSV."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .errors import OrganisationError, UnknownPerson, UnknownUnit
from .models import Person, RoleHolder, Unit
from .roles import PERSON_ROLES, UNIT_ROLES

MAX_DEPTH = 50  # deeper than any real organisation; stops a corrupted tree from looping


def unit_chain(session: Session, unit_id: str) -> list[Unit]:
    """The unit and its ancestors up to the root, nearest first."""
    chain: list[Unit] = []
    current = session.get(Unit, unit_id)
    if current is None:
        raise UnknownUnit(f"no unit with id '{unit_id}'")
    while current is not None and len(chain) < MAX_DEPTH:
        chain.append(current)
        current = session.get(Unit, current.parent_id) if current.parent_id else None
    return chain


def holders(session: Session, unit_id: str, role: str) -> list[str]:
    """Ids of the people holding `role` directly in the unit, sorted."""
    rows = session.scalars(select(RoleHolder.person_id).where(RoleHolder.unit_id == unit_id, RoleHolder.role == role))
    return sorted(rows)


def _walk_up(session: Session, role: str, unit_id: str, skip: str | None) -> tuple[list[str], str | None]:
    for unit in unit_chain(session, unit_id):
        found = [p for p in holders(session, unit.id, role) if p != skip]
        if found:
            return found, unit.id
    return [], None


def resolve(session: Session, role: str, unit_id: str, parties: dict[str, Any]) -> list[str]:
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
        _, leader_unit = _walk_up(session, "leader", unit_id, accused)
        parent = session.get(Unit, leader_unit).parent_id if leader_unit else None
        return _walk_up(session, "leader", parent, accused)[0] if parent else []
    return _walk_up(session, role, unit_id, accused)[0]


def units_holding(session: Session, role: str, within: str) -> list[str]:
    """Ids of the units in the subtree of `within` (itself included) where someone holds `role`."""
    children: dict[str | None, list[str]] = {}
    for unit_id, parent_id in session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    subtree, stack = [], [within]
    while stack:
        current = stack.pop()
        subtree.append(current)
        stack.extend(children.get(current, []))
    with_role = set(session.scalars(select(RoleHolder.unit_id).where(RoleHolder.role == role)))
    return sorted(u for u in subtree if u in with_role)


def require_people(session: Session, person_ids: list[str]) -> None:
    """Raise UnknownPerson naming the first id that is not a person."""
    for person_id in person_ids:
        if session.get(Person, person_id) is None:
            raise UnknownPerson(f"no person with id '{person_id}'")


@dataclass
class OrgFile:
    """The contents of an organisation file, before it is checked."""

    units: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)


def read_org_file(path: Path) -> OrgFile:
    """Read an organisation file: YAML (units, people, roles) or CSV (one row per unit or role)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OrganisationError([f"cannot read {path}: {exc}"]) from exc
    if path.suffix.lower() == ".csv":
        return _read_csv(text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OrganisationError([f"{path} is not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise OrganisationError([f"{path} must hold a mapping with 'units', 'people' and 'roles'"])
    parts = {}
    for key in ("units", "people", "roles"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise OrganisationError([f"'{key}' must be a list of mappings"])
        parts[key] = value
    return OrgFile(**parts)


def _read_csv(text: str) -> OrgFile:
    # Columns: unit_id, unit_name, unit_kind, parent_id, person_id, person_name, person_email, role.
    # A row names a unit (and its parent); with person columns it also names a role holder there.
    org = OrgFile()
    seen_units: dict[str, dict[str, Any]] = {}
    seen_people: dict[str, dict[str, Any]] = {}
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        unit_id = row.get("unit_id", "")
        if unit_id and row.get("unit_name"):
            unit = {"id": unit_id, "name": row["unit_name"], "kind": row.get("unit_kind") or "department",
                    "parent": row.get("parent_id") or None, "_line": line_no}
            if unit_id in seen_units and _strip_line(seen_units[unit_id]) != _strip_line(unit):
                org.units.append(unit)  # a conflicting repeat is reported as a duplicate
            elif unit_id not in seen_units:
                seen_units[unit_id] = unit
                org.units.append(unit)
        person_id = row.get("person_id", "")
        if person_id and person_id not in seen_people and row.get("person_name"):
            seen_people[person_id] = {"id": person_id, "name": row["person_name"],
                                      "email": row.get("person_email") or None, "unit": unit_id or None}
            org.people.append(seen_people[person_id])
        if person_id and row.get("role"):
            org.roles.append({"unit": unit_id, "role": row["role"], "person": person_id, "_line": line_no})
    return org


def _strip_line(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "_line"}


def check_org(session: Session, org: OrgFile) -> list[str]:
    """Every problem in an organisation file given what the database already holds."""
    problems: list[str] = []
    existing_units = {u.id: u.parent_id for u in session.scalars(select(Unit))}
    existing_people = set(session.scalars(select(Person.id)))
    parents: dict[str, str | None] = dict(existing_units)
    file_units: set[str] = set()
    for unit in org.units:
        unit_id = str(unit.get("id") or "").strip()
        if not unit_id or not str(unit.get("name") or "").strip():
            problems.append(f"a unit needs an id and a name: {_strip_line(unit)}")
            continue
        if unit_id in file_units:
            problems.append(f"the unit id '{unit_id}' appears twice in the file")
        file_units.add(unit_id)
        parents[unit_id] = unit.get("parent") or None
    for unit_id in file_units:
        parent = parents[unit_id]
        if parent is not None and parent not in parents:
            problems.append(f"the unit '{unit_id}' has an unknown parent '{parent}'")
    for unit_id in sorted(file_units):
        seen, current = set(), unit_id
        while current is not None and current in parents:
            if current in seen:
                problems.append(f"the units form a cycle through '{unit_id}'")
                break
            seen.add(current)
            current = parents[current]
    file_people: set[str] = set()
    for person in org.people:
        person_id = str(person.get("id") or "").strip()
        if not person_id or not str(person.get("name") or "").strip():
            problems.append(f"a person needs an id and a name: {person}")
            continue
        if person_id in file_people:
            problems.append(f"the person id '{person_id}' appears twice in the file")
        file_people.add(person_id)
        if person.get("unit") and person["unit"] not in parents:
            problems.append(f"the person '{person_id}' belongs to an unknown unit '{person['unit']}'")
    known_people = existing_people | file_people
    for holder in org.roles:
        role, unit_id, person_id = holder.get("role"), holder.get("unit"), holder.get("person")
        if role not in UNIT_ROLES:
            problems.append(f"the role '{role}' cannot be held for a unit; use one of {', '.join(sorted(UNIT_ROLES))}")
        if unit_id not in parents:
            problems.append(f"the role '{role}' is given for an unknown unit '{unit_id}'")
        if person_id not in known_people:
            problems.append(f"the role '{role}' in '{unit_id}' is given to an unknown person '{person_id}'")
    return problems


def apply_org(session: Session, org: OrgFile) -> dict[str, int]:
    """Write a checked organisation file: upsert units and people, replace role holders of its units."""
    for unit in org.units:
        row = session.get(Unit, unit["id"]) or Unit(id=unit["id"])
        row.name, row.kind = unit["name"], unit.get("kind") or "department"
        session.add(row)
    session.flush()
    for unit in org.units:  # parents after all units exist, so order in the file does not matter
        session.get(Unit, unit["id"]).parent_id = unit.get("parent") or None
    for person in org.people:
        row = session.get(Person, person["id"]) or Person(id=person["id"])
        row.name, row.email, row.unit_id = person["name"], person.get("email"), person.get("unit")
        session.add(row)
    session.flush()
    role_units = {h["unit"] for h in org.roles} | {u["id"] for u in org.units}
    if role_units:
        session.execute(delete(RoleHolder).where(RoleHolder.unit_id.in_(role_units)))
    unique = {(h["unit"], h["role"], h["person"]) for h in org.roles}
    session.add_all(RoleHolder(unit_id=u, role=r, person_id=p) for u, r, p in sorted(unique))
    session.flush()
    return {"units": len(org.units), "people": len(org.people), "roles": len(unique)}
