"""What to write instead, where a problem comes from a habit of another modeller (Camunda's `${x}`, `true`, a
lane named by its Danish label): one short suggestion, or None when none is known."""
from __future__ import annotations

import difflib
import re

from engine.bpmn.expressions import check_expression, names_read
from engine.org.roles import KNOWN_ROLES, ROLE_LABELS_DA

# Camunda writes JUEL: `${approved}`, `#{a && b}`, `true`, `null`, `!x`; vaern reads Python.
_JUEL = re.compile(r"^\s*[$#]\{(?P<inner>.*)\}\s*$", re.S)
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_OPERATORS = ((re.compile(r"&&"), " and "), (re.compile(r"\|\|"), " or "), (re.compile(r"!(?!=)"), "not "),
              (re.compile(r"==="), "=="), (re.compile(r"!=="), "!="))
_SPACES = re.compile(r"\s+")
_LITERAL_WORD = re.compile(r"\b(true|false|null)\b")


def _operators(text: str) -> str:
    for pattern, replacement in _OPERATORS:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()


def misspelt_literals(expression: str, variables: set[str]) -> list[str]:
    """The names an allowed expression reads that are Camunda's literals (`true`, `null`), not case variables."""
    return [name for name in names_read(expression) if name in _LITERALS and name not in variables]


def misspelt_names(expression: str, variables: set[str]) -> list[tuple[str, str]]:
    """The names an expression reads that the diagram does not set but nearly does (`Approved`, `aproved` for a
    field `approved`), each with the variable it most likely means."""
    found = []
    for name in names_read(expression):
        if name in variables or name in _LITERALS:
            continue
        same_letters = [v for v in sorted(variables) if v.casefold() == name.casefold()]
        close = same_letters or difflib.get_close_matches(name, sorted(variables), n=1, cutoff=0.85)
        if close:
            found.append((name, close[0]))
    return found


def expression_hint(expression: str) -> str | None:
    """The expression as vaern reads it, when it is written the way Camunda Modeler's users write it."""
    text = _SPACES.sub(" ", (expression or "").strip())
    juel = _JUEL.match(text)
    inner = juel.group("inner").strip() if juel else text
    fixed = _LITERAL_WORD.sub(lambda m: _LITERALS[m.group(1)], _operators(inner))
    if not fixed or check_expression(fixed) is not None:
        return None
    if juel or _operators(inner) != inner:
        return f"write `{fixed}`"
    used = list(dict.fromkeys(_LITERALS[m.group(1)] for m in _LITERAL_WORD.finditer(inner)))
    return "use " + ", ".join(f"`{word}`" for word in used) if used else None


def _label_key(label: str) -> str:
    return re.sub(r"\s*\(.*\)\s*$", "", label).strip().casefold()


def lane_hint(name: str) -> str | None:
    """The role a lane's name means, when it is a role's Danish label or a role written in other letters."""
    wanted = (name or "").strip().casefold()
    for role in KNOWN_ROLES:
        if wanted in (role.casefold(), role.casefold().replace("_", " ")):
            return f"write `{role}`"
    for role, label in ROLE_LABELS_DA.items():
        if wanted in (label.casefold(), _label_key(label)):
            return f"write `{role}`"
    return None
