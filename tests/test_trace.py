"""`vaern trace` counts a requirement only where an element acts at run time; tags elsewhere are on paper."""
from __future__ import annotations

import subprocess
import sys

import pytest

from engine.bpmn.trace import requirement_ids, trace_report, traced_elements
from tests.conftest import DIAGRAMS, ROOT

DIAGRAM = DIAGRAMS / "trace_on_paper.bpmn"
# What each tag sits on in the hand-made diagram, and whether that element acts.
ACTING = {"TR-FORM": "user task with a form", "TR-GW": "gateway with conditions", "TR-COND": "conditional flow",
          "TR-TIMER": "timer", "TR-NOTICE": "notice", "TR-MSG": "message catch"}
ON_PAPER = {"TR-LANE": "lane", "TR-FLOW": "sequence flow", "TR-START": "start event", "TR-END": "end event",
            "TR-PROCESS": "process", "TR-NOFORM": "user task without a form",
            "TR-PLAINGW": "gateway without conditions"}


@pytest.fixture
def requirements(tmp_path):
    path = tmp_path / "requirements.md"
    lines = [f"- **{requirement}** something the guideline asks" for requirement in [*ACTING, *ON_PAPER, "TR-NONE"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _vaern(*args):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT)


def test_each_element_is_classified_by_whether_it_acts():
    matrix = traced_elements([DIAGRAM])
    for requirement, what in {**ACTING, **ON_PAPER}.items():
        kinds = {(e.what, e.acts) for e in matrix[requirement]}
        assert (what, requirement in ACTING) in kinds, (requirement, kinds)


def test_a_tag_on_a_lane_or_flow_does_not_implement_a_requirement(requirements):
    report = trace_report(requirement_ids(requirements), traced_elements([DIAGRAM]), {})
    assert sorted(report.implemented) == sorted(ACTING)
    assert sorted(report.on_paper) == sorted(ON_PAPER)
    assert report.missing == ["TR-NONE"]
    assert sorted(report.unexplained) == sorted([*ON_PAPER, "TR-NONE"])


def test_a_lane_tag_beside_an_acting_one_adds_nothing(requirements):
    # TR-FORM is on the task with its form and also on the hr lane: only the task counts.
    report = trace_report(requirement_ids(requirements), traced_elements([DIAGRAM]), {})
    assert [e.element_id for e in report.implemented["TR-FORM"]] == ["Task_form"]


def test_out_of_scope_explains_a_requirement_only_on_paper(requirements):
    report = trace_report(requirement_ids(requirements), traced_elements([DIAGRAM]), {"TR-LANE": "decided"})
    assert report.out_of_scope == {"TR-LANE": "decided"}
    assert "TR-LANE" not in report.on_paper and "TR-LANE" not in report.unexplained


def test_vaern_trace_lists_what_is_only_on_paper_and_the_honest_figure(requirements, tmp_path):
    result = _vaern("trace", "--requirements", str(requirements), "--out-of-scope", str(tmp_path / "none.md"),
                    str(DIAGRAM))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "TR-LANE    !  ONLY ON PAPER: trace_on_paper.bpmn:Lane_leader (lane)" in lines
    assert "TR-FLOW    !  ONLY ON PAPER: trace_on_paper.bpmn:Flow_no (sequence flow)" in lines
    assert "TR-FORM    1  trace_on_paper.bpmn:Task_form" in lines
    assert "TR-NONE    !  NOT IMPLEMENTED" in lines
    summary = next(line for line in lines if line.startswith("only on paper"))
    assert all(requirement in summary for requirement in ON_PAPER)
    assert lines[-1] == ("6 of 14 requirements implemented, 0 out of scope, 8 unexplained "
                         "(7 only on paper, 1 not tagged anywhere)")


def test_vaern_trace_passes_when_every_paper_requirement_is_out_of_scope(requirements, tmp_path):
    scope = tmp_path / "scope.md"
    scope.write_text("".join(f"- **{r}**: decided\n" for r in [*ON_PAPER, "TR-NONE"]), encoding="utf-8")
    result = _vaern("trace", "--requirements", str(requirements), "--out-of-scope", str(scope), str(DIAGRAM))
    assert result.returncode == 0, result.stdout
    assert "6 of 14 requirements implemented, 8 out of scope, 0 unexplained" in result.stdout
