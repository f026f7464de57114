"""The lint gate: bpmnlint's recommended rules and vaern's own checks pass on every diagram in workflows/.

bpmnlint runs from `tests/lint/` (package.json, package-lock.json, .bpmnlintrc); see its README for the
rules configured there and why.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.node_packages import node_with

REPO_ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = REPO_ROOT / "tests" / "lint"
DIAGRAMS = sorted((REPO_ROOT / "workflows").glob("*.bpmn"))


@pytest.fixture(scope="session")
def bpmnlint() -> list[str]:
    """The command that runs bpmnlint, with its npm packages installed (once per session)."""
    node = node_with(LINT_DIR, "bpmnlint", "the bpmnlint gate")
    return [node, str(LINT_DIR / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js")]


def _lint(command: list[str], *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*command, "--max-warnings=0", "--config", str(LINT_DIR / ".bpmnlintrc"),
                           *map(str, paths)], cwd=LINT_DIR, capture_output=True, text=True, timeout=120)


def test_there_are_diagrams_to_lint():
    assert DIAGRAMS, "workflows/ holds no .bpmn files"


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[path.name for path in DIAGRAMS])
def test_bpmnlint_recommended_rules_pass(bpmnlint, diagram: Path) -> None:
    """No error and no warning from bpmnlint's recommended rules."""
    result = _lint(bpmnlint, diagram)
    assert result.returncode == 0, f"bpmnlint rejects {diagram.name}:\n{result.stdout}{result.stderr}"


def test_bpmnlint_fails_a_broken_diagram(bpmnlint, tmp_path) -> None:
    """The gate bites: a flow into nothing and a task without an outgoing flow fail it."""
    xml = DIAGRAMS[0].read_text(encoding="utf-8")
    start = xml.index("<bpmn:sequenceFlow ")
    end = xml.index("/>", start) + 2
    broken = tmp_path / "broken.bpmn"
    broken.write_text(xml[:start] + xml[end:], encoding="utf-8")
    result = _lint(bpmnlint, broken)
    assert result.returncode != 0, result.stdout


def test_vaern_check_passes_on_every_diagram() -> None:
    """`vaern check workflows/*.bpmn` exits 0: our own rules beside bpmnlint's."""
    result = subprocess.run([sys.executable, "-m", "engine", "check", *map(str, DIAGRAMS)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_modeller_page_lints_with_the_gate_s_configuration() -> None:
    """web/modeller/bpmnlint.js runs bpmnlint in the page with the same rules as this gate, and bundles each."""
    import json

    assert json.loads((REPO_ROOT / "web" / "modeller" / "bpmnlintrc.json").read_text(encoding="utf-8")) == \
        json.loads((LINT_DIR / ".bpmnlintrc").read_text(encoding="utf-8"))
    page = (REPO_ROOT / "web" / "modeller" / "bpmnlint.js").read_text(encoding="utf-8")
    web_package = json.loads((REPO_ROOT / "web" / "package.json").read_text(encoding="utf-8"))
    web_version = web_package["dependencies"]["bpmnlint"]
    gate_version = json.loads((LINT_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]["bpmnlint"]
    assert web_version == gate_version
    recommended = subprocess.run(
        ["node", "-e", "console.log(Object.keys(require('bpmnlint/config/recommended').rules).join(' '))"],
        cwd=REPO_ROOT / "web", capture_output=True, text=True, timeout=60)
    if recommended.returncode != 0:
        pytest.skip(f"node or web/node_modules is missing (make setup): {recommended.stderr.strip()}")
    for rule in recommended.stdout.split():
        assert f'require("bpmnlint/rules/{rule}")' in page, rule
