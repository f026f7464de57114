"""Simulated people drive every diagram in workflows/ through the engine; small hand-made diagrams show
that each of the simulation's checks does catch its kind of problem."""
from __future__ import annotations

import random
import re
import subprocess
import sys
from datetime import date, datetime, timezone

import pytest

from engine import FormField
from engine.simulation.answers import Chooser, FormFiller
from engine.simulation.inputs import FieldRule, StartVariable, read_facts
from engine.simulation.simulate import BEHAVIOURS, COMMITTEE_SILENT, behaviours_for, simulate_diagram
from tests.conftest import DEMO_ORG, DIAGRAMS, ROOT
from tests.rework import rework_marks

WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn"))
CASES = 10
SEED = 13


def _simulate(path, behaviour, tmp_path, cases=CASES, seed=SEED):
    return simulate_diagram(path, DEMO_ORG, cases, seed, [behaviour], workdir=tmp_path).behaviours[0]


def _problems(result) -> str:
    return "\n".join(map(str, result.findings))


@pytest.mark.parametrize(("path", "behaviour"), [
    pytest.param(path, behaviour, marks=rework_marks(path.name, behaviour), id=f"{path.stem}-{behaviour}")
    for path in WORKFLOWS for behaviour in behaviours_for(read_facts(path.read_bytes(), path.name))])
@pytest.mark.slow
def test_every_case_of_every_diagram_reaches_a_just_end(path, behaviour, tmp_path):
    result = simulate_diagram(path, DEMO_ORG, CASES, SEED, [behaviour], workdir=tmp_path)
    assert not result.findings, "\n".join(map(str, result.findings))


# -- the checks catch what they are for ------------------------------------------------------------------

def test_a_diagram_with_a_clock_on_every_task_reaches_a_just_end_under_every_behaviour(tmp_path):
    path = DIAGRAMS / "sim_just_end.bpmn"
    assert behaviours_for(read_facts(path.read_bytes())) == BEHAVIOURS  # no committees, no fourth behaviour
    everyone = _simulate(path, "everyone", tmp_path)
    assert not everyone.findings, _problems(everyone)
    assert everyone.count(lambda o: o.closed) == CASES
    assert sum(len(o.messages) for o in everyone.outcomes) >= 1  # a withdrawn complaint closes the case too
    silent = _simulate(path, "parties_silent", tmp_path)
    assert not silent.findings, _problems(silent)
    assert silent.count(lambda o: o.closed) == CASES
    nobody = _simulate(path, "nobody", tmp_path)
    assert not nobody.findings, _problems(nobody)
    assert nobody.count(lambda o: o.quiet and o.reminded) == CASES
    assert 0 < nobody.count(lambda o: o.serious) == nobody.count(lambda o: o.serious and o.escalated) < CASES


def test_a_party_task_without_a_timer_that_blocks_the_join_is_found(tmp_path):
    path = DIAGRAMS / "sim_party_blocks_join.bpmn"
    assert not _simulate(path, "everyone", tmp_path).findings
    silent = _simulate(path, "parties_silent", tmp_path)
    waits = [f for f in silent.findings if f.element_id == "Task_accept" and "waits with no pending timer" in f.what]
    assert len(waits) == CASES, _problems(silent)
    assert silent.count(lambda o: o.closed) == 0
    assert all("Join" in f.element_id for f in silent.findings if "did not close" in f.what)


def test_a_lane_that_resolves_to_nobody_is_found(tmp_path):
    # The accused's id is required only when the leader says the person is known; the hearing always comes.
    result = _simulate(DIAGRAMS / "sim_lane_for_nobody.bpmn", "everyone", tmp_path)
    assert result.findings, "the simulation did not find the hearing with nobody to do it"
    assert {f.element_id for f in result.findings} == {"Task_hearing"}
    assert all("nobody to do it" in f.what for f in result.findings)


def test_a_case_that_falls_quiet_without_a_reminder_is_found(tmp_path):
    path = DIAGRAMS / "sim_quiet_without_reminder.bpmn"
    assert not _simulate(path, "everyone", tmp_path).findings
    nobody = _simulate(path, "nobody", tmp_path)
    unreminded = [f for f in nobody.findings if "without a reminder" in f.what]
    assert len(unreminded) == CASES and {f.element_id for f in unreminded} == {"Task_talk"}
    unescalated = {f.case for f in nobody.findings if "without being escalated" in f.what}
    assert unescalated == {o.number for o in nobody.outcomes if o.serious} != set()


def test_a_committee_that_never_answers_is_passed_over_or_found(tmp_path):
    path = DIAGRAMS / "sim_committees.bpmn"
    assert behaviours_for(read_facts(path.read_bytes())) == (*BEHAVIOURS, COMMITTEE_SILENT)
    silent = _simulate(path, COMMITTEE_SILENT, tmp_path)
    assert not silent.findings, _problems(silent)
    assert silent.count(lambda o: o.closed and o.escalated) == CASES  # the deadline passes the silent LMU over
    stuck = tmp_path / "stuck.bpmn"
    stuck.write_text(path.read_text(encoding="utf-8").replace('cancelActivity="true"', 'cancelActivity="false"'),
                     encoding="utf-8")
    waits = [f for f in _simulate(stuck, COMMITTEE_SILENT, tmp_path).findings if "waits with no pending timer" in f.what]
    assert len(waits) == CASES and {f.element_id for f in waits} == {"Task_lmu"}
    assert all("(lane lmu, unit afd-" in w.what for w in waits)  # the silent LMU is named by its unit


def test_an_engine_error_is_a_finding_named_by_its_task(tmp_path):
    # A condition that reads an optional answer: a blank summary makes len() fail when the gateway runs.
    xml = (DIAGRAMS / "sim_quiet_without_reminder.bpmn").read_text(encoding="utf-8")
    xml = re.sub(r'<camunda:formField id="summary" label="Referat" type="string">.*?</camunda:formField>',
                 '<camunda:formField id="summary" label="Referat" type="string" />', xml, flags=re.DOTALL)
    xml = xml.replace(">serious == True<", ">serious == True and len(summary) &gt; 3<")
    assert 'type="string" />' in xml and "len(summary)" in xml
    path = tmp_path / "engine_error.bpmn"
    path.write_text(xml, encoding="utf-8")
    result = _simulate(path, "everyone", tmp_path)
    errors = [f for f in result.findings if f.what.startswith("engine error")]
    assert errors and {f.element_id for f in errors} == {"Task_talk"}, _problems(result)


def test_a_diagram_the_engine_refuses_is_reported_not_simulated(tmp_path):
    path = tmp_path / "broken.bpmn"
    path.write_text((DIAGRAMS / "sim_just_end.bpmn").read_text(encoding="utf-8")
                    .replace('targetRef="Task_plan"', 'targetRef="Task_nowhere"'), encoding="utf-8")
    result = simulate_diagram(path, DEMO_ORG, 2, SEED, BEHAVIOURS, workdir=tmp_path)
    assert result.refused and not result.behaviours
    assert result.findings[0].element_id == "deploy" and "Task_nowhere" in result.findings[0].what


def test_the_same_seed_gives_the_same_cases(tmp_path):
    path = DIAGRAMS / "sim_lane_for_nobody.bpmn"
    first, again = (_problems(_simulate(path, "everyone", tmp_path, seed=5)) for _ in range(2))
    assert first == again


# -- what the simulation infers and answers -----------------------------------------------------------------

def test_start_data_is_inferred_from_the_diagram_itself():
    facts = read_facts((DIAGRAMS / "sim_just_end.bpmn").read_bytes())
    start = {v.name: v for v in facts.start}
    assert start["serious"] == StartVariable("serious", "boolean", (True, False))
    assert start["incident_at"].kind == "moment"  # a date field's min reads it
    assert start["employee_id"].kind == "person" and start["reporter_id"].kind == "person"
    assert "other_personnel_leader_id" not in start and "talk_date" not in start  # forms set them
    assert facts.rules[("Task_talk", "other_personnel_leader_id")].required_if == "other_leader == True"
    assert facts.reads_serious and facts.escalates and not facts.escalates_every_case


def test_literals_in_conditions_become_the_choices_of_a_start_variable(tmp_path):
    xml = (DIAGRAMS / "sim_quiet_without_reminder.bpmn").read_text(encoding="utf-8").replace(
        ">serious == True<", '>source == "second_hand" or (severity &gt;= 4 and defined("witness_id"))<')
    facts = read_facts(xml.encode())
    start = {v.name: v for v in facts.start}
    # The gateway has a default flow, so a value no condition names is a route too.
    assert start["source"] == StartVariable("source", "choice", ("second_hand", "other"))
    assert start["severity"] == StartVariable("severity", "number", (3, 4, 5))
    assert start["witness_id"] == StartVariable("witness_id", "person", optional=True)
    assert "serious" not in start


def test_answers_go_round_every_option_and_respect_the_diagrams_rules():
    chooser = Chooser(random.Random(3))
    fields = [FormField("known", "Kendt?", "boolean", False),
              FormField("pick", "Valg", "enum", True, (("a", "A"), ("b", "B"), ("c", "C"))),
              FormField("person_id", "Person", "string", False), FormField("first_day", "Første dag", "date", True)]
    rules = {("T", "person_id"): FieldRule(required_if="known == True"),
             ("T", "first_day"): FieldRule(min="incident_at", max="today()")}
    filler = FormFiller(chooser, rules, ["p1", "p2", "p3"])
    now = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
    started = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    answers = [filler.answers("T", fields, {"incident_at": "2026-11-30T22:00:00+01:00"}, ["p1"], started, now)
               for _ in range(6)]
    assert {a["known"] for a in answers[:2]} == {True, False}
    assert {a["pick"] for a in answers[:3]} == {"a", "b", "c"}
    for a in answers:
        assert ("person_id" in a) == a["known"] and a.get("person_id") != "p1"  # a party is not the other person
        assert date(2026, 11, 30) <= date.fromisoformat(a["first_day"]) <= date(2026, 12, 3)


def test_a_date_field_whose_limits_cross_cannot_be_answered():
    filler = FormFiller(Chooser(random.Random(1)), {("T", "d"): FieldRule(min="later", max="today()")}, ["p1"])
    now = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="earliest date 2026-12-10"):
        filler.answers("T", [FormField("d", "Dato", "date", True)], {"later": "2026-12-10"}, [], now, now)


# -- the command line ---------------------------------------------------------------------------------------

def _vaern(*args):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_vaern_simulate_lists_each_problem_and_exits_1():
    result = _vaern("simulate", "tests/diagrams/sim_party_blocks_join.bpmn", "--cases", "2",
                    "--behaviour", "parties_silent")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "parties silent       closed 0/2" in result.stdout
    assert ("case 1: Task_accept: the case waits with no pending timer on 'Tag imod hjælp' (lane employee, unit afd-akut)"
            in result.stdout)
    assert result.stdout.splitlines()[-1] == "4 problem(s) in 1 of 1 diagram(s)"


@pytest.mark.slow
def test_vaern_simulate_passes_a_diagram_that_reaches_a_just_end():
    result = _vaern("simulate", "tests/diagrams/sim_just_end.bpmn", "--cases", "4", "--seed", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "everyone acts        closed 4/4" in result.stdout
    assert "nobody acts          closed 0/4, fell quiet 4 (4 after a reminder)" in result.stdout
