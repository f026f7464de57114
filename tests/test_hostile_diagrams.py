"""Diagrams that used to pass `vaern check`, deploy, and then hang or break the engine.

Each is checked through the command line as a process owner runs it; what only a running case can
produce is run in a process of its own with a time limit, since before the bounds it never returned.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import DEMO_ORG, ROOT, simple_xml

SIMPLE = simple_xml()
TIMER = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">reminder_after</bpmn:timeDuration>'
_CONDITION = re.compile(r"(<bpmn:conditionExpression[^>]*>)[^<]*(</bpmn:conditionExpression>)")
assert TIMER in SIMPLE and len(_CONDITION.findall(SIMPLE)) == 1


def with_condition(xml: str, condition: str) -> str:
    """The diagram with its one gateway condition (on the flow to the hearing) replaced; the hearing still
    needs to know who is heard, so the new condition checks that too, after the part under test."""
    guarded = f'{condition} and defined("accused_id")'
    return _CONDITION.sub(lambda m: m.group(1) + guarded + m.group(2), xml, count=1)


# An automatic task after the gateway's "no" flow leads straight back to the gateway: a loop nothing waits in.
LOOP = SIMPLE.replace(
    '<bpmn:sequenceFlow id="Flow_plain" name="Nej" sourceRef="Gateway_serious" targetRef="End_1" />',
    '<bpmn:sequenceFlow id="Flow_plain" name="Nej" sourceRef="Gateway_serious" targetRef="Task_again" />'
    '<bpmn:task id="Task_again" name="Igen"><bpmn:incoming>Flow_plain</bpmn:incoming>'
    '<bpmn:outgoing>Flow_again</bpmn:outgoing></bpmn:task>'
    '<bpmn:sequenceFlow id="Flow_again" sourceRef="Task_again" targetRef="Gateway_serious" />'
).replace('<bpmn:incoming>Flow_2</bpmn:incoming>', '<bpmn:incoming>Flow_2</bpmn:incoming><bpmn:incoming>Flow_again</bpmn:incoming>'
).replace('<bpmn:incoming>Flow_plain</bpmn:incoming>\n      <bpmn:incoming>Flow_5</bpmn:incoming>',
          '<bpmn:incoming>Flow_5</bpmn:incoming>'
).replace('<bpmn:flowNodeRef>End_1</bpmn:flowNodeRef>', '<bpmn:flowNodeRef>End_1</bpmn:flowNodeRef>'
          '<bpmn:flowNodeRef>Task_again</bpmn:flowNodeRef>'
).replace('<bpmndi:BPMNEdge id="Flow_plain_di"',
          '<bpmndi:BPMNShape id="Task_again_di" bpmnElement="Task_again"><dc:Bounds x="600" y="100" width="100" '
          'height="80" /></bpmndi:BPMNShape><bpmndi:BPMNEdge id="Flow_again_di" bpmnElement="Flow_again">'
          '<di:waypoint x="650" y="100" /><di:waypoint x="450" y="115" /></bpmndi:BPMNEdge>'
          '<bpmndi:BPMNEdge id="Flow_plain_di"')
PRE_SCRIPT = SIMPLE.replace(
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
).replace('<camunda:formField id="advice_given" label="Rådgivning givet" type="boolean" />\n        </camunda:formData>',
          '<camunda:formField id="advice_given" label="Rådgivning givet" type="boolean" />\n        </camunda:formData>'
          "<spiffworkflow:preScript>import os; os.system('id')</spiffworkflow:preScript>")
assert LOOP != SIMPLE and PRE_SCRIPT != SIMPLE and "preScript" in PRE_SCRIPT

HOSTILE = {
    "a timer that waits 99,999,999 years": (SIMPLE.replace(TIMER, TIMER.replace("reminder_after", "P99999999Y")),
                                            "Timer_remind", "VAERN_MAX_TIMER_DURATION"),
    "a setting that waits 99,999,999 years": (SIMPLE.replace('value="P2D"', 'value="P99999999Y"'), "Timer_remind",
                                              "VAERN_MAX_TIMER_DURATION"),
    "a cycle of zero seconds": (SIMPLE.replace(TIMER, '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/PT0S'
                                               '</bpmn:timeCycle>'), "Timer_remind", "VAERN_MIN_TIMER_CYCLE"),
    "a cycle of one second": (SIMPLE.replace(TIMER, '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/PT1S'
                                             '</bpmn:timeCycle>'), "Timer_remind", "VAERN_MIN_TIMER_CYCLE"),
    "a condition that builds ten billion characters": (
        with_condition(SIMPLE, "len(str([[1]*99999]*99999)) &gt; 0"), "Flow_serious",
        "too much work"),
    "a loop of automatic steps": (LOOP, "Gateway_serious", "a loop in which no person, message or timer is waited for"),
    "a spiffworkflow:preScript": (PRE_SCRIPT, "Task_hr", "no script of any dialect"),
}


def _vaern(*args: str, env: dict | None = None, timeout: int = 120):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def test_vaern_check_refuses_each_naming_the_element(tmp_path):
    paths = {}
    for number, (name, (xml, _, _)) in enumerate(sorted(HOSTILE.items())):
        paths[name] = tmp_path / f"hostile-{number}.bpmn"
        paths[name].write_text(xml, encoding="utf-8")
    result = _vaern("check", *map(str, paths.values()))
    assert result.returncode == 1, result.stdout
    for name, (_, element, reason) in HOSTILE.items():
        lines = [line for line in result.stdout.splitlines()
                 if line.startswith(f"{paths[name]}:") and f"[{element}]" in line and reason in line]
        assert lines, (name, result.stdout)
    assert "OK " not in result.stdout


@pytest.mark.slow
def test_the_limits_are_settings(tmp_path):
    xml = SIMPLE.replace('value="P2D"', 'value="P8Y"')
    path = tmp_path / "long.bpmn"
    path.write_text(xml, encoding="utf-8")
    assert _vaern("check", str(path)).returncode == 1
    assert _vaern("check", str(path), env={"VAERN_MAX_TIMER_DURATION": "P10Y"}).returncode == 0


RUN_CASE = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from pathlib import Path
    from engine import Settings, WorkflowError, open_vaern
    vaern = open_vaern(Settings(database_url=sys.argv[1]))
    vaern.import_org(Path(sys.argv[2]), "admin", datetime.now(timezone.utc))
    vaern.deploy(Path(sys.argv[3]).read_bytes(), "case.bpmn", "admin", datetime.now(timezone.utc))
    try:
        vaern.start_case("simple", "afd-akut", {"employee_id": "ansat-akut", "wait": sys.argv[4],
                         "size": 99999}, "ansat-akut", datetime.now(timezone.utc))
        print("started")
    except WorkflowError as exc:
        print("refused:", exc)
""")


@pytest.mark.parametrize("timer, value, reason", [
    (TIMER.replace("reminder_after", "wait"), "P99999999Y", "VAERN_MAX_TIMER_DURATION"),
    ('<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">wait</bpmn:timeCycle>', "R/PT0S", "VAERN_MIN_TIMER_CYCLE"),
    ('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">date_add("2026-01-01", wait)</bpmn:timeDate>', "P99999999Y",
     "longer than 200 years"),
])
def test_a_timer_only_a_cases_data_makes_hostile_is_refused_while_the_case_runs(tmp_path, timer, value, reason):
    # Only the case's data knows the value, so no check can see it: the running engine refuses it, quickly.
    path = tmp_path / "case.bpmn"
    path.write_text(SIMPLE.replace(TIMER, timer), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'vaern.sqlite3'}"
    result = subprocess.run([sys.executable, "-c", RUN_CASE, url, str(DEMO_ORG), str(path), value], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("refused:") and reason in result.stdout, result.stdout


def test_a_condition_that_builds_too_much_from_a_cases_data_is_refused_while_the_case_runs(tmp_path):
    path = tmp_path / "case.bpmn"
    path.write_text(with_condition(SIMPLE, "len(str([[1]*size]*size)) &gt; 0"), encoding="utf-8")
    talk = textwrap.dedent("""
        [item] = vaern.inbox("leder-akut", datetime.now(timezone.utc))
        try:
            vaern.complete_task(item.task_id, {"summary": "x"}, "leder-akut", datetime.now(timezone.utc))
            print("completed")
        except WorkflowError as exc:
            print("refused:", exc)
        print(vaern.task(item.task_id).state)
    """)
    url = f"sqlite:///{tmp_path / 'vaern.sqlite3'}"
    result = subprocess.run([sys.executable, "-c", RUN_CASE + talk, url, str(DEMO_ORG), str(path), "P2D"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "started" and lines[1].startswith("refused:") and "too much work" in lines[1], lines
    assert lines[2] == "open", "nothing was saved: the task is still open"
