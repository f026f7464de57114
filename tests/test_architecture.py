"""The house's shape, checked: capabilities in packages, services composed, SpiffWorkflow behind its wrapper."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from engine import Vaern

ENGINE = Path(__file__).resolve().parent.parent / "engine"
TESTS = Path(__file__).resolve().parent


def _modules(folder: Path):
    return [p for p in folder.rglob("*.py") if "migrations" not in p.parts]


def test_at_most_a_dozen_modules_lie_directly_in_engine():
    assert len(list(ENGINE.glob("*.py"))) <= 12


def test_the_facade_is_built_from_services_not_mixins():
    assert Vaern.__bases__ == (object,)


def test_only_engine_bpmn_touches_spiffworkflow():
    offenders = []
    for path in _modules(ENGINE):
        if "bpmn" in path.relative_to(ENGINE).parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                offenders += [f"{path.name}: imports {n}" for n in names if n.startswith("SpiffWorkflow")]
            if isinstance(node, ast.Attribute) and node.attr in ("task_spec", "internal_data", "bpmn_id"):
                offenders.append(f"{path.relative_to(ENGINE)}:{node.lineno}: .{node.attr}")
    assert not offenders, offenders


def test_no_test_reaches_into_a_private_member_of_the_engine():
    private = re.compile(r"\b(vaern|service|med|rules|empty_vaern)\._[a-z]")
    found = [f"{p.name}:{n}" for p in TESTS.rglob("*.py") for n, line in enumerate(p.read_text().splitlines(), 1)
             if private.search(line)]
    assert not found, found
