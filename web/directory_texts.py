"""What is wrong with a directory export, in the administrator's language, with its line and column apart.

The engine (engine/org/directory_file.py) writes "line 4, column 3: the e-mail address … is not …"; the page
shows line and column in columns of their own and the sentence translated. A sentence without a pattern is
shown as the engine wrote it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

_WHERE = re.compile(r"^(?:line (?P<line>\d+), column (?P<column>\d+)|byte (?P<byte>\d+)|"
                    r"(?P<path>(?:units|people)\[\d+\])): (?P<rest>.*)$", re.S)

SENTENCES: list[tuple[re.Pattern, Any]] = [(re.compile(p + r"$", re.S), t) for p, t in (
    (r"(?P<what>.+) is missing", _l("%(what)s is missing.")),
    (r"(?P<what>.+) is longer than (?P<n>\d+) characters", _l("%(what)s is longer than %(n)s characters.")),
    (r"the unit '(?P<id>[^']*)' is described differently at (?P<where>.+)",
     _l("The unit '%(id)s' is described differently at %(where)s.")),
    (r"the (?P<kind>unit|person) '(?P<id>[^']*)' appears twice \(also at (?P<where>.+)\)",
     _l("'%(id)s' appears twice (also at %(where)s).")),
    (r"the e-mail address (?P<email>.+) is not one plain e-mail address such as navn@rm\.dk",
     _l("The e-mail address %(email)s is not one plain e-mail address such as navn@rm.dk.")),
    (r"'(?P<role>[^']*)' is no role held for a unit; use one of (?P<roles>.+)",
     _l("'%(role)s' is not a role held for a unit; use one of %(roles)s.")),
    (r"the role '(?P<role>[^']*)' needs a unit: write (?P<example>\S+)",
     _l("The role '%(role)s' needs a unit: write %(example)s.")),
    (r"the unit '(?P<id>[^']*)' has no name anywhere in the file",
     _l("The unit '%(id)s' has no name anywhere in the file.")),
    (r"the unit '(?P<id>[^']*)' has an unknown parent '(?P<parent>[^']*)'",
     _l("The unit '%(id)s' has an unknown parent unit '%(parent)s'.")),
    (r"the units form a cycle through '(?P<id>[^']*)'", _l("The units form a cycle through '%(id)s'.")),
    (r"the person '(?P<id>[^']*)' belongs to an unknown unit '(?P<unit>[^']*)'",
     _l("The person '%(id)s' belongs to an unknown unit '%(unit)s'.")),
    (r"the role '(?P<role>[^']*)' is given for an unknown unit '(?P<unit>[^']*)'",
     _l("The role '%(role)s' is given for an unknown unit '%(unit)s'.")),
    (r"the row has (?P<n>\d+) field\(s\), the header (?P<m>\d+)",
     _l("The row has %(n)s fields, the header %(m)s.")),
    (r"the row names neither a person \(employee_id\) nor a unit \(unit_id\)",
     _l("The row names neither a person (employee_id) nor a unit (unit_id).")),
    (r"the header lacks the column\(s\) (?P<columns>[^;]+); the columns are (?P<all>.+)",
     _l("The header lacks the column(s) %(columns)s; the columns are %(all)s.")),
    (r"unknown column '(?P<column>[^']*)'; the columns are (?P<all>.+)",
     _l("Unknown column '%(column)s'; the columns are %(all)s.")),
    (r"not valid JSON: (?P<detail>.+)", _l("Not valid JSON (%(detail)s).")),
    (r"not valid YAML: (?P<detail>.+)", _l("Not valid YAML (%(detail)s).")),
    (r"the file is not UTF-8 text", _l("The file is not UTF-8 text.")),
    (r"the file must hold a mapping with 'units' and 'people'", _l("The file must hold 'units' and 'people'.")),
    (r"'(?P<key>[^']*)' must be a list of mappings", _l("'%(key)s' must be a list of mappings.")),
    (r"'(?P<key>[^']*)' is not part of a directory file; it holds 'units' and 'people'",
     _l("'%(key)s' is not part of a directory file; it holds 'units' and 'people'.")),
    (r"'roles' must be a list such as (?P<example>.+)", _l("'roles' must be a list such as %(example)s.")),
)]
_WHERE_IN_TEXT = re.compile(r"line (?P<line>\d+), column (?P<column>\d+)")


@dataclass(frozen=True)
class LocatedProblem:
    """One problem as the page shows it: line and column (or the entry) and the sentence."""

    line: str
    column: str
    message: str


def located_problem(problem: str) -> LocatedProblem:
    """The engine's problem split into where and what, the what in the reader's language."""
    where = _WHERE.match(problem)
    line = column = ""
    rest = problem
    if where:
        rest = where.group("rest")
        byte = f"byte {where.group('byte')}" if where.group("byte") else ""
        line = where.group("line") or where.group("path") or byte
        column = where.group("column") or ""
    for pattern, sentence in SENTENCES:
        found = pattern.match(rest)
        if found:
            values = {k: _WHERE_IN_TEXT.sub(lambda m: str(_l("line %(line)s, column %(column)s", line=m["line"],
                                                             column=m["column"])), v or "")
                      for k, v in found.groupdict().items()}
            return LocatedProblem(line, column, str(sentence) % values)
    return LocatedProblem(line, column, rest)
