"""Every diagram opens in bpmn.io / Camunda Modeler without an import warning.

Runs `tests/moddle/check.mjs` (bpmn-moddle with the Camunda extensions, the reader bpmn.io uses)
on each file in `workflows/`.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.node_packages import node_with

REPO_ROOT = Path(__file__).resolve().parent.parent
MODDLE_DIR = REPO_ROOT / "tests" / "moddle"
CHECK_SCRIPT = MODDLE_DIR / "check.mjs"
DIAGRAMS = sorted((REPO_ROOT / "workflows").glob("*.bpmn"))


@pytest.fixture(scope="session")
def node_binary() -> str:
    """The `node` executable, with the checker's npm packages installed (once per session)."""
    node = node_with(MODDLE_DIR, "bpmn-moddle", "the bpmn.io import check")
    return node


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[path.name for path in DIAGRAMS])
def test_diagram_imports_without_warnings(node_binary: str, diagram: Path) -> None:
    """bpmn-moddle reads the diagram with no warning and every element has its shape or edge."""
    result = subprocess.run(
        [node_binary, str(CHECK_SCRIPT), str(diagram)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"bpmn.io import check failed for {diagram.name}:\n{result.stdout}{result.stderr}"
