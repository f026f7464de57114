"""The guideline's own diagrams pass every check and trace to every requirement."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.rework import any_pending

GUIDELINE = ("violence.bpmn", "harassment.bpmn", "annual_med.bpmn")


def _vaern(*args):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_vaern_check_passes_the_three_diagrams():
    result = _vaern("check", "workflows/violence.bpmn", "workflows/harassment.bpmn", "workflows/annual_med.bpmn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("OK ") == 3


# While a guideline diagram is reworked it may still carry requirements only on paper (tagged on lanes,
# flows, start events): tolerated only through tests/rework.py, never by loosening what trace counts.
@pytest.mark.xfail(any_pending(GUIDELINE), strict=False,
                   reason="a diagram in tests/rework.py PENDING may still have requirements only on paper")
def test_vaern_trace_leaves_no_requirement_unexplained():
    result = _vaern("trace")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 unexplained" in result.stdout and "ONLY ON PAPER" not in result.stdout
    for requirement in ("GEN-1", "K-H7", "K-H13", "V-H5", "MED-3", "LAW-1", "LAW-6", "K-S8"):
        line = next(l for l in result.stdout.splitlines() if l.startswith(requirement + " "))
        assert "NOT IMPLEMENTED" not in line and "out of scope" not in line, line


def test_trace_names_an_unimplemented_requirement(tmp_path):
    requirements = tmp_path / "req.md"
    requirements.write_text("- **V-H1** talk\n- **ZZ-9** something nobody models\n", encoding="utf-8")
    result = _vaern("trace", "--requirements", str(requirements), "--out-of-scope", str(tmp_path / "none.md"),
                    "workflows/violence.bpmn")
    assert result.returncode == 1
    assert "ZZ-9       !  NOT IMPLEMENTED" in result.stdout
