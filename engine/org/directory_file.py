"""A directory export read for a sync: the whole organisation as HR or the directory has it, checked with positions.

Two forms (docs: README "Directory sync"):

- CSV as HR exports it, one row per person (`,` or `;` between fields, a header row naming the columns):
  `employee_id, name, email, unit_id, unit_name, parent_unit_id, unit_kind, roles`. The unit's columns are
  repeated on every person's row and must agree; a row with no `employee_id` declares a unit alone (a region
  with nobody in it). `roles` lists the roles the person holds, separated by spaces or `|`: `leader` for their
  own unit, `hr@hospital` for another.
- JSON or YAML: `{"units": [{id, name, kind, parent}], "people": [{id, name, email, unit, roles}]}`, where a
  person's `roles` is a list in the same form as the CSV column.

A malformed file is refused with every problem found, each with the line and column it is at.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

import yaml

from engine.errors import OrganisationError
from engine.org.files import email_problem
from engine.org.roles import UNIT_ROLES

CSV_COLUMNS = ("employee_id", "name", "email", "unit_id", "unit_name", "parent_unit_id", "unit_kind", "roles")
REQUIRED_CSV_COLUMNS = ("employee_id", "name", "unit_id")
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 300
_ROLE_SEPARATORS = re.compile(r"[\s|]+")


@dataclass(frozen=True)
class Where:
    """Where in the file a value was read: line and column (1-based), or a path into a JSON/YAML document."""

    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}, column {self.column or 1}"
        return self.path or "the file"


@dataclass(frozen=True)
class UnitEntry:
    """A unit as the file names it."""

    id: str
    name: str
    kind: str
    parent: str | None
    where: Where


@dataclass(frozen=True)
class PersonEntry:
    """A person as the file names them."""

    id: str
    name: str
    email: str | None
    unit: str | None
    where: Where


@dataclass
class DirectoryFile:
    """The organisation a directory file describes, every part of it checked."""

    units: dict[str, UnitEntry] = field(default_factory=dict)
    people: dict[str, PersonEntry] = field(default_factory=dict)
    roles: set[tuple[str, str, str]] = field(default_factory=set)  # (unit, role, person)


class _Reader:
    """Collects entries and the problems met on the way, each with its position."""

    def __init__(self) -> None:
        self.file = DirectoryFile()
        self.problems: list[str] = []
        self.role_refs: list[tuple[str, str, str, Where]] = []

    def problem(self, where: Where, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, value, where: Where, what: str, required: bool, limit: int) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.problem(where, f"{what} is missing")
            return None
        if len(text) > limit:
            self.problem(where, f"{what} is longer than {limit} characters")
            return None
        return text

    def add_unit(self, unit_id: str, name: str | None, kind: str | None, parent: str | None, where: Where) -> None:
        entry = UnitEntry(unit_id, name or "", kind or "department", parent or None, where)
        known = self.file.units.get(unit_id)
        if known is None:
            self.file.units[unit_id] = entry
        elif not name:
            return  # a row that names the unit only by id agrees with every other
        elif not known.name:
            self.file.units[unit_id] = entry
        elif (known.name, known.kind, known.parent) != (entry.name, entry.kind, entry.parent):
            self.problem(where, f"the unit '{unit_id}' is described differently at {known.where}")

    def add_person(self, entry: PersonEntry) -> None:
        if entry.id in self.file.people:
            first = self.file.people[entry.id].where
            self.problem(entry.where, f"the person '{entry.id}' appears twice (also at {first})")
            return
        if entry.email and email_problem(entry.email):
            self.problem(entry.where, f"the e-mail address {entry.email!r} {email_problem(entry.email)}")
        self.file.people[entry.id] = entry

    def add_roles(self, person_id: str, own_unit: str | None, roles: list[str], where: Where) -> None:
        for held in roles:
            role, _, unit = held.partition("@")
            unit = unit.strip() or own_unit
            if role not in UNIT_ROLES:
                self.problem(where, f"'{role}' is no role held for a unit; use one of {', '.join(sorted(UNIT_ROLES))}")
            elif not unit:
                self.problem(where, f"the role '{role}' needs a unit: write {role}@unit_id")
            else:
                self.role_refs.append((unit, role, person_id, where))

    def finish(self) -> DirectoryFile:
        units = self.file.units
        for unit in units.values():
            if not unit.name:
                self.problem(unit.where, f"the unit '{unit.id}' has no name anywhere in the file")
            if unit.parent is not None and unit.parent not in units:
                self.problem(unit.where, f"the unit '{unit.id}' has an unknown parent '{unit.parent}'")
        for unit_id in sorted(units):
            seen, current = set(), unit_id
            while current is not None and current in units:
                if current in seen:
                    self.problem(units[unit_id].where, f"the units form a cycle through '{unit_id}'")
                    break
                seen.add(current)
                current = units[current].parent
        for person in self.file.people.values():
            if person.unit is not None and person.unit not in units:
                self.problem(person.where, f"the person '{person.id}' belongs to an unknown unit '{person.unit}'")
        for unit, role, person_id, where in self.role_refs:
            if unit not in units:
                self.problem(where, f"the role '{role}' is given for an unknown unit '{unit}'")
            else:
                self.file.roles.add((unit, role, person_id))
        if self.problems:
            raise OrganisationError(self.problems)
        return self.file


def read_directory_file(content: bytes | str, filename: str) -> DirectoryFile:
    """The organisation in a CSV, JSON or YAML export; OrganisationError naming line and column if malformed."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise OrganisationError([f"byte {exc.start + 1}: the file is not UTF-8 text"]) from exc
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        return _read_csv(content)
    if suffix == "json":
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise OrganisationError([f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"]) from exc
        return _read_document(data)
    if suffix in ("yaml", "yml"):
        try:
            data = yaml.safe_load(content)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            raise OrganisationError([f"{where}not valid YAML: {exc.problem or exc}"]) from exc
        except yaml.YAMLError as exc:
            raise OrganisationError([f"not valid YAML: {exc}"]) from exc
        return _read_document(data)
    raise OrganisationError([f"'{filename}' is neither .csv, .json, .yaml nor .yml"])


def _read_csv(text: str) -> DirectoryFile:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = _Reader()
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(rows, [])]
    except csv.Error as exc:
        raise OrganisationError([f"line 1, column 1: {exc}"]) from exc
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
    if missing:
        raise OrganisationError([f"line 1, column 1: the header lacks the column(s) {', '.join(missing)}; "
                                 f"the columns are {', '.join(CSV_COLUMNS)}"])
    unknown = [(i, h) for i, h in enumerate(header) if h not in CSV_COLUMNS]
    if unknown:
        i, name = unknown[0]
        raise OrganisationError([f"line 1, column {i + 1}: unknown column '{name}'; "
                                 f"the columns are {', '.join(CSV_COLUMNS)}"])
    position = {name: i for i, name in enumerate(header)}
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise OrganisationError([f"line {rows.line_num}, column 1: {exc}"]) from exc
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            reader.problem(Where(line, min(len(row), len(header)) + 1),
                           f"the row has {len(row)} field(s), the header {len(header)}")
            continue

        def cell(name: str):
            i = position.get(name)
            return (row[i] if i is not None else None), Where(line, (i or 0) + 1)

        _row(reader, cell)
    return reader.finish()


def _row(reader: _Reader, cell) -> None:
    unit_value, unit_where = cell("unit_id")
    unit_id = reader.text(unit_value, unit_where, "unit_id", False, MAX_ID_LENGTH)
    if unit_id:
        name, name_where = cell("unit_name")
        parent, parent_where = cell("parent_unit_id")
        kind, kind_where = cell("unit_kind")
        reader.add_unit(unit_id, reader.text(name, name_where, "unit_name", False, MAX_NAME_LENGTH),
                        reader.text(kind, kind_where, "unit_kind", False, 50),
                        reader.text(parent, parent_where, "parent_unit_id", False, MAX_ID_LENGTH), unit_where)
    person_value, person_where = cell("employee_id")
    person_id = reader.text(person_value, person_where, "employee_id", False, MAX_ID_LENGTH)
    if not person_id:
        if not unit_id:
            reader.problem(person_where, "the row names neither a person (employee_id) nor a unit (unit_id)")
        return
    name, name_where = cell("name")
    email, email_where = cell("email")
    person_name = reader.text(name, name_where, "name", True, MAX_NAME_LENGTH)
    email_text = reader.text(email, email_where, "email", False, MAX_NAME_LENGTH)
    if email_text and email_problem(email_text):
        reader.problem(email_where, f"the e-mail address {email_text!r} {email_problem(email_text)}")
        email_text = None
    if person_name:
        reader.add_person(PersonEntry(person_id, person_name, email_text, unit_id, person_where))
    roles, roles_where = cell("roles")
    reader.add_roles(person_id, unit_id, [r for r in _ROLE_SEPARATORS.split(roles or "") if r], roles_where)


def _read_document(data) -> DirectoryFile:
    reader = _Reader()
    if not isinstance(data, dict):
        raise OrganisationError(["the file must hold a mapping with 'units' and 'people'"])
    unknown = sorted(set(data) - {"units", "people"})
    if unknown:
        raise OrganisationError([f"'{unknown[0]}' is not part of a directory file; it holds 'units' and 'people'"])
    for key in ("units", "people"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise OrganisationError([f"'{key}' must be a list of mappings"])
    for i, unit in enumerate(data.get("units") or []):
        where = Where(path=f"units[{i + 1}]")
        unit_id = reader.text(unit.get("id"), where, "the unit's id", True, MAX_ID_LENGTH)
        name = reader.text(unit.get("name"), where, "the unit's name", True, MAX_NAME_LENGTH)
        if unit_id and name:
            if unit_id in reader.file.units:
                first = reader.file.units[unit_id].where
                reader.problem(where, f"the unit '{unit_id}' appears twice (also at {first})")
                continue
            reader.add_unit(unit_id, name, reader.text(unit.get("kind"), where, "kind", False, 50),
                            reader.text(unit.get("parent"), where, "parent", False, MAX_ID_LENGTH), where)
    for i, person in enumerate(data.get("people") or []):
        where = Where(path=f"people[{i + 1}]")
        person_id = reader.text(person.get("id"), where, "the person's id", True, MAX_ID_LENGTH)
        name = reader.text(person.get("name"), where, "the person's name", True, MAX_NAME_LENGTH)
        if not (person_id and name):
            continue
        unit_id = reader.text(person.get("unit"), where, "unit", False, MAX_ID_LENGTH)
        reader.add_person(PersonEntry(person_id, name, reader.text(person.get("email"), where, "email", False,
                                                                   MAX_NAME_LENGTH), unit_id, where))
        roles = person.get("roles") or []
        if isinstance(roles, str):
            roles = [r for r in _ROLE_SEPARATORS.split(roles) if r]
        if not isinstance(roles, list):
            reader.problem(where, "'roles' must be a list such as [leader, hr@hospital]")
            continue
        reader.add_roles(person_id, unit_id, [str(r).strip() for r in roles], where)
    return reader.finish()
