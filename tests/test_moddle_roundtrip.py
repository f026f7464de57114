"""The round trip with bpmn.io and Camunda Modeler (bpmn-moddle with the Camunda extensions, tests/moddle/):
every diagram in workflows/ exports and imports again without a change; what the browser's modeller saves is
checked the same way in tests/web/test_modeller_browser.py."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.node_packages import node_with

REPO_ROOT = Path(__file__).resolve().parent.parent
MODDLE_DIR = REPO_ROOT / "tests" / "moddle"
ROUNDTRIP = MODDLE_DIR / "roundtrip.mjs"
DIAGRAMS = sorted((REPO_ROOT / "workflows").glob("*.bpmn"))


def roundtrip(node: str, *files: Path) -> subprocess.CompletedProcess:
    """Run the round trip check on one file (export and import again) or two (the model of both the same)."""
    return subprocess.run([node, str(ROUNDTRIP), *map(str, files)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="session")
def node_binary() -> str:
    return node_with(MODDLE_DIR, "bpmn-moddle", "the bpmn.io round trip check")


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[path.name for path in DIAGRAMS])
def test_a_diagram_exports_and_imports_again_unchanged(node_binary: str, diagram: Path) -> None:
    result = roundtrip(node_binary, diagram)
    assert result.returncode == 0 and "SAME" in result.stdout, result.stdout + result.stderr


def test_the_check_sees_a_changed_name_and_a_changed_setting(node_binary: str, tmp_path: Path) -> None:
    original = DIAGRAMS[-1]
    changed = tmp_path / original.name
    text = original.read_text(encoding="utf-8")
    changed.write_text(text.replace("arbejdsdage", "arbejdsdag", 1), encoding="utf-8")
    assert text != changed.read_text(encoding="utf-8")
    result = roundtrip(node_binary, original, changed)
    assert result.returncode == 1 and "CHANGED" in result.stdout and "arbejdsdag" in result.stdout, result.stdout
