"""Validating diagrams: every problem reported with file, line and element id; hostile XML refused."""
from __future__ import annotations

import subprocess
import sys

import pytest

from engine import DefinitionError, validate
from engine.bpmn.definitions import check_files
from tests.conftest import DIAGRAMS, ROOT, simple_xml

MAX = 5 * 1024 * 1024


def _broken(old: str, new: str, count: int = 1) -> bytes:
    xml = simple_xml()
    assert old in xml, f"test fixture drifted: {old!r} not in simple.bpmn"
    return xml.replace(old, new, count).encode("utf-8")


def _problems(data: bytes):
    with pytest.raises(DefinitionError) as caught:
        validate(data, "broken.bpmn", MAX)
    return caught.value.problems


def test_the_test_diagram_is_valid():
    parsed = validate((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", MAX)
    assert parsed.kind == "simple" and parsed.settings == {"reminder_after": "P2D"}


@pytest.mark.parametrize("name, old, new, element, fragment", [
    ("missing flow target", 'targetRef="Task_hr"', 'targetRef="Task_nowhere"', "Flow_4", "'Task_nowhere' does not exist"),
    ("unknown lane role", 'name="hr"', 'name="janitor"', "Lane_hr", "'janitor' is not a known role"),
    ("invalid timer", ">reminder_after<", ">P2X<", "Timer_remind", "not valid"),
    ("invalid setting value", 'value="P2D"', 'value="two days"', "Timer_remind", "the setting 'reminder_after'"),
    ("timeDate without offset", '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">reminder_after</bpmn:timeDuration>',
     '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">2027-01-01T09:00:00</bpmn:timeDate>', "Timer_remind", "UTC offset"),
    ("unparsable condition", "serious == True", "serious ==", "Flow_serious", "does not parse"),
    ("hostile condition", "serious == True", "__import__('os').system('rm -rf /')", "Flow_serious", "not allowed"),
    ("attribute condition", "serious == True", "serious.__class__", "Flow_serious", "attribute access"),
    ("hostile timer", ">reminder_after<", ">__import__('os')<", "Timer_remind", "not allowed"),
    ("gateway without condition or default", ' default="Flow_plain"', "", "Flow_plain", "has no condition"),
    ("user task without lane", "<bpmn:flowNodeRef>Task_hr</bpmn:flowNodeRef>", "", "Task_hr", "sits in no lane"),
    ("duplicate id", 'id="Flow_5"', 'id="Flow_4"', "Flow_4", "used twice"),
    ("unknown notice role", '<camunda:property name="notify" value="leader" />',
     '<camunda:property name="notify" value="boss" />', "Throw_remind", "'boss'"),
    ("bad form field type", 'type="long"', 'type="money"', "Task_talk", "type 'money'"),
    ("a person lane reached before anyone names the person", ' and defined("accused_id")', "", "Task_hear",
     "before any field 'accused_id' names that person"),
    ("hostile required_if", '<camunda:formField id="witnesses" label="Antal vidner" type="long" />',
     '<camunda:formField id="witnesses" label="Antal vidner" type="long"><camunda:properties>'
     '<camunda:property id="required_if" value="__import__(\'os\')" /></camunda:properties></camunda:formField>',
     "Task_talk", "required_if that is not allowed"),
    ("a limit on a number", '<camunda:formField id="witnesses" label="Antal vidner" type="long" />',
     '<camunda:formField id="witnesses" label="Antal vidner" type="long"><camunda:validation>'
     '<camunda:constraint name="min" config="today()" /></camunda:validation></camunda:formField>',
     "Task_talk", "limits only on date fields"),
    ("a date limit that is not an expression", '<camunda:formField id="meeting_date" label="Mødedato" type="date" />',
     '<camunda:formField id="meeting_date" label="Mødedato" type="date"><camunda:validation>'
     '<camunda:constraint name="max" config="today(" /></camunda:validation></camunda:formField>',
     "Task_talk", "max limit that is not allowed"),
    ("an id the engine reserves", 'id="End_1"', 'id="End"', "End", "reserved by the engine"),
])
def test_each_broken_diagram_names_its_problem(name, old, new, element, fragment):
    problems = _problems(_broken(old, new))
    matching = [p for p in problems if p.element_id == element and fragment in p.message]
    assert matching, f"{name}: expected a problem on {element} with {fragment!r}, got {[str(p) for p in problems]}"
    assert all(p.line for p in matching), "problems point at a line"


def test_script_task_is_refused_at_deploy_time():
    data = _broken('<bpmn:userTask id="Task_hr" name="Sparring med HR">',
                   '<bpmn:scriptTask id="Task_hr" name="Sparring med HR"><bpmn:script>import os</bpmn:script>')
    data = data.replace(b"</bpmn:userTask>\n    <bpmn:endEvent id=\"End_1\"", b"</bpmn:scriptTask>\n    <bpmn:endEvent id=\"End_1\"")
    problems = _problems(data)
    assert any(p.element_id == "Task_hr" and "script" in p.message for p in problems), [str(p) for p in problems]


def test_an_event_subprocess_is_refused():
    data = _broken('<bpmn:endEvent id="End_1" name="Afsluttet">',
                   '<bpmn:subProcess id="Sub_events" triggeredByEvent="true"><bpmn:startEvent id="Sub_start">'
                   '<bpmn:messageEventDefinition id="Sub_msg" messageRef="Message_withdrawn" /></bpmn:startEvent>'
                   '</bpmn:subProcess><bpmn:endEvent id="End_1" name="Afsluttet">')
    problems = _problems(data)
    assert any(p.element_id == "Sub_events" and "event subprocesses" in p.message for p in problems)


def test_all_problems_are_reported_not_just_the_first():
    data = _broken('name="hr"', 'name="janitor"')
    data = data.replace(b"serious == True", b"serious ==").replace(b'targetRef="Task_hr"', b'targetRef="Nope"')
    problems = _problems(data)
    assert {"Lane_hr", "Flow_serious", "Flow_4"} <= {p.element_id for p in problems}


def test_missing_diagram_interchange_is_a_problem():
    xml = simple_xml()
    cut = xml[: xml.index("<bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"
    problems = _problems(cut.encode())
    assert any("no diagram (BPMN DI)" in p.message for p in problems)


def test_missing_shape_is_a_problem():
    problems = _problems(_broken('<bpmndi:BPMNShape id="Task_hr_di" bpmnElement="Task_hr">', '<bpmndi:BPMNShape id="Task_hr_di" bpmnElement="Task_hear">'))
    assert any(p.element_id == "Task_hr" and "no shape" in p.message for p in problems)


def test_schema_violations_are_all_listed():
    data = _broken('<bpmn:startEvent id="StartEvent_1" name="Sag oprettet">', '<bpmn:startEvent id="StartEvent_1" name="Sag oprettet" bogus="1">')
    data = data.replace(b'<bpmn:endEvent id="End_1" name="Afsluttet">', b'<bpmn:endEvent id="End_1" name="Afsluttet" wrong="2">')
    problems = _problems(data)
    schema = [p for p in problems if "schema" in p.message]
    assert len(schema) >= 2 and all(p.line for p in schema)


def test_invalid_xml_is_reported_with_its_line():
    problems = _problems(simple_xml().replace("</bpmn:process>", "</bpmn:proces>").encode())
    assert problems and "well-formed" in problems[0].message and problems[0].line


@pytest.mark.parametrize("payload", [
    # XXE: an external entity reading a local file
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d>&xxe;</d>',
    # billion laughs
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>',
])
def test_hostile_xml_is_refused_without_expanding_anything(payload):
    problems = _problems(payload)
    assert "DOCTYPE or ENTITY" in problems[0].message


def test_a_50_mb_file_is_refused_before_parsing():
    data = b"<x>" + b" " * (50 * 1024 * 1024) + b"</x>"
    problems = _problems(data)
    assert "at most" in problems[0].message


def test_check_files_reports_an_unreadable_file(tmp_path):
    problems = check_files([tmp_path / "missing.bpmn"], MAX)
    assert problems and "cannot read" in problems[0].message


def _vaern(*args, env=None):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT, env=env)


def test_cli_check_lists_every_problem_with_file_line_and_id_and_exits_1(tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(_broken('name="hr"', 'name="janitor"').replace(b"serious == True", b"serious =="))
    result = _vaern("check", str(bad))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(bad))]
    assert any("[Lane_hr]" in line and "janitor" in line for line in lines)
    assert any("[Flow_serious]" in line for line in lines)
    assert all(line.split(":")[1].split(" ")[0].isdigit() for line in lines), lines


def test_cli_check_passes_a_good_diagram():
    result = _vaern("check", str(DIAGRAMS / "simple.bpmn"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout
