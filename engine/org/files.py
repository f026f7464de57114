"""Organisation files: read units, people and role holders from YAML/CSV, check them, write them.

Who holds a role is resolved on an in-memory snapshot (`org_snapshot`)."""
from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.errors import OrganisationError
from engine.models import OrgRevision, Person, RoleHolder, Unit
from engine.org.roles import UNIT_ROLES

# One plain address, as a mail server takes it in a header: no spaces, line breaks, names or lists.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
MAX_EMAIL_LENGTH = 254


def email_problem(value) -> str | None:
    """Why an e-mail address from an organisation file cannot be used, or None when it can."""
    text = str(value)
    if len(text) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(text):
        return "is not one plain e-mail address such as navn@rm.dk"
    return None


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
        email = person.get("email")
        if email not in (None, "") and email_problem(email):
            # One unusable address would stop the mail of everyone after it in the outbox.
            problems.append(f"the person '{person_id}' has the e-mail address {str(email)!r}, which "
                            f"{email_problem(email)}")
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
    # A new token tells every process its snapshot of the organisation is out of date.
    session.execute(update(OrgRevision).where(OrgRevision.id == 1).values(revision=uuid.uuid4().hex))
    session.flush()
    return {"units": len(org.units), "people": len(org.people), "roles": len(unique)}
