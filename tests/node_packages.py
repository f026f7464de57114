"""Node.js tools the tests run (bpmn.io's model, bpmnlint), installed from their lock files once."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def node_with(folder: Path, package: str, purpose: str) -> str:
    """The `node` executable, after `npm ci` in `folder` if `package` is not installed there yet."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node is not on PATH: {purpose} needs Node.js")
    if not (folder / "node_modules" / package).is_dir():
        npm = shutil.which("npm")
        assert npm is not None, f"node is installed but npm is not; run `npm ci` in {folder}"
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, f"npm ci in {folder} failed:\n{result.stdout}\n{result.stderr}"
    return node
