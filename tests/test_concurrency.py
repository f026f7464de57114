"""Commands on one case run one after the other: nobody loses their work to someone doing another task.

Twenty committee chairs submit their own tasks of one annual cycle at the same moment, from threads of
one process and from two processes: every submission succeeds, each task is completed exactly once, and
the case holds every answer. Two people completing the same task: one wins, the other is told the task
is done, and nothing of theirs is half-saved.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from datetime import timedelta

import pytest

from engine import Settings, TaskNotOpen, open_vaern
from engine.testing import stored_workflow
from tests.conftest import ROOT, T0
from tests.scenario import deploy_guideline, filled
from tests.test_cases import PARTIES, TALK

CHAIRS = 20
ANSWER_FIELD = "lmu_initiatives_planned"
# The chairs submit two days into the cycle: a meeting date the form is filled with has then passed.
SUBMITTED = T0 + timedelta(days=2)


def test_the_same_task_completed_from_two_connections_at_once(vaern, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("people:\n - {id: leder-2, name: Lærke Leder}\nroles:\n"
                   " - {unit: afd-akut, role: leader, person: leder-akut}\n"
                   " - {unit: afd-akut, role: leader, person: leder-2}\n", encoding="utf-8")
    vaern.import_org(org, "admin", T0)
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    [item] = vaern.inbox("leder-akut", T0)

    both_ready = threading.Barrier(2, timeout=20)
    outcomes: dict[str, object] = {}

    def complete(user: str) -> None:
        both_ready.wait()
        try:
            vaern.complete_task(item.task_id, {**TALK, "summary": f"af {user}"}, user, T0)
            outcomes[user] = "won"
        except Exception as exc:  # recorded and asserted on below
            outcomes[user] = exc

    threads = [threading.Thread(target=complete, args=(u,)) for u in ("leder-akut", "leder-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = [u for u, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1, outcomes
    # The second command waited for the first, saw the task done, and changed nothing.
    assert len(losers) == 1 and isinstance(losers[0], TaskNotOpen), outcomes

    stored = vaern.case(case.id)
    assert stored.version == 2
    assert stored.data["summary"] == f"af {winners[0]}"
    completions = [e for e in vaern.events(case.id) if e.action == "task_completed"]
    assert [e.actor for e in completions] == winners
    tasks = {t.spec_id: t for t in vaern.tasks_of_case(case.id)}
    assert tasks["Task_talk"].state == "completed" and tasks["Task_talk"].completed_by == winners[0]
    assert tasks["Task_hear"].state == "open"


def _twenty_committees(tmp_path) -> str:
    lines = ["units:", "  - {id: region, name: Region, kind: region}", "  - {id: hosp, name: Hospital, parent: region}"]
    people = ["people:", "  - {id: rmu-1, name: RMU-formand}", "  - {id: hmu-1, name: HMU-formand}"]
    roles = ["roles:", "  - {unit: region, role: rmu, person: rmu-1}", "  - {unit: hosp, role: hmu, person: hmu-1}"]
    for n in range(1, CHAIRS + 1):
        lines.append(f"  - {{id: afd-{n:02}, name: Afdeling {n}, parent: hosp}}")
        people.append(f"  - {{id: lmu-{n:02}, name: LMU-formand {n}}}")
        roles.append(f"  - {{unit: afd-{n:02}, role: lmu, person: lmu-{n:02}}}")
    path = tmp_path / "committees.yaml"
    path.write_text("\n".join(lines + people + roles) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def annual_cycle(empty_vaern, tmp_path):
    """An annual MED cycle with twenty LMU tasks open at once, and each chair's submission ready."""
    from pathlib import Path

    empty_vaern.import_org(Path(_twenty_committees(tmp_path)), "admin", T0)
    deploy_guideline(empty_vaern, T0, "annual_med")
    case = empty_vaern.start_case("annual_med", "region", {"year": 2026}, "rmu-1", T0)
    tasks = [t for t in empty_vaern.tasks_of_case(case.id) if t.state == "open"]
    assert len(tasks) == CHAIRS and len({t.assignee_id for t in tasks}) == CHAIRS
    submissions = [(t.id, t.assignee_id, filled(empty_vaern, t.id, **{ANSWER_FIELD: f"svar fra {t.assignee_id}"}))
                   for t in tasks]
    return empty_vaern, case.id, submissions


def _stored_answers(vaern, case_id: int, task_ids) -> dict[str, str]:
    """The answers the case's serialized workflow (the truth) holds for these tasks, by task."""
    workflow = stored_workflow(vaern, case_id)
    found = {task_id: workflow.find_task(task_id) for task_id in task_ids}
    return {task_id: task.data.get(ANSWER_FIELD) for task_id, task in found.items()
            if task is not None and task.state == "COMPLETED"}


def _check_every_answer_kept(vaern, case_id: int, submissions) -> None:
    completions = Counter(e.task_id for e in vaern.events(case_id) if e.action == "task_completed")
    assert completions == Counter({task_id: 1 for task_id, _, _ in submissions}), "each task exactly once"
    tasks = {t.id: t for t in vaern.tasks_of_case(case_id)}
    for task_id, person, _ in submissions:
        assert (tasks[task_id].state, tasks[task_id].completed_by) == ("completed", person)
    assert _stored_answers(vaern, case_id, [task_id for task_id, _, _ in submissions]) == {task_id: f"svar fra {person}" for task_id, person, _ in submissions}
    # Every chair's answer moved the cycle on: none of their discussions is still open, and each was one save.
    assert not [t for t in tasks.values() if t.state == "open" and t.spec_id == "lmu_annual_discussion"]
    assert vaern.case(case_id).version == CHAIRS + 1


def test_twenty_chairs_complete_their_own_tasks_of_one_case_at_once(annual_cycle):
    vaern, case_id, submissions = annual_cycle
    all_ready = threading.Barrier(CHAIRS, timeout=60)
    outcomes: dict[str, object] = {}

    def submit(task_id: str, person: str, values: dict) -> None:
        all_ready.wait()
        try:
            vaern.complete_task(task_id, values, person, SUBMITTED)
            outcomes[person] = "done"
        except Exception as exc:  # recorded and asserted on below
            outcomes[person] = exc

    threads = [threading.Thread(target=submit, args=submission) for submission in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert outcomes == {person: "done" for _, person, _ in submissions}
    _check_every_answer_kept(vaern, case_id, submissions)


WORKER = textwrap.dedent("""
    import json, sys, threading
    from datetime import datetime
    from engine import Settings, open_vaern
    service = open_vaern(Settings(database_url=sys.argv[1]), migrate=False)
    submissions = json.loads(sys.stdin.readline())
    sys.stdin.readline()  # both processes start at the same moment
    ready = threading.Barrier(len(submissions), timeout=60)
    outcomes = {}
    def submit(task_id, person, values):
        ready.wait()
        try:
            service.complete_task(task_id, values, person, datetime.fromisoformat(sys.argv[2]))
            outcomes[person] = "done"
        except Exception as exc:
            outcomes[person] = f"{type(exc).__name__}: {exc}"
    threads = [threading.Thread(target=submit, args=s) for s in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    print(json.dumps(outcomes))
""")


@pytest.mark.slow
def test_twenty_chairs_in_two_processes_complete_their_tasks_of_one_case_at_once(annual_cycle, database_url):
    vaern, case_id, submissions = annual_cycle
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    halves = [submissions[::2], submissions[1::2]]
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, database_url, SUBMITTED.isoformat()], cwd=ROOT, env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in halves]
    for worker, half in zip(workers, halves):
        worker.stdin.write(json.dumps(half) + "\n")
        worker.stdin.flush()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outcomes = {}
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
        outcomes.update(json.loads(out.strip().splitlines()[-1]))
    assert outcomes == {person: "done" for _, person, _ in submissions}
    _check_every_answer_kept(vaern, case_id, submissions)


def test_a_multi_instance_task_moves_on_in_a_process_that_did_not_start_the_case(empty_vaern, tmp_path, database_url):
    # Every web worker and the scheduler parse the diagram for themselves: the one that completes the last
    # instance is often not the one that started the case (here: a second service on the same database).
    from pathlib import Path

    from tests.conftest import DIAGRAMS

    empty_vaern.import_org(Path(_twenty_committees(tmp_path)), "admin", T0)
    empty_vaern.deploy((DIAGRAMS / "sim_committees.bpmn").read_bytes(), "sim_committees.bpmn", "admin", T0)
    case = empty_vaern.start_case("sim_committees", "region", {}, "rmu-1", T0)
    tasks = [t for t in empty_vaern.tasks_of_case(case.id) if t.state == "open"]
    assert len(tasks) == CHAIRS
    other = open_vaern(Settings(database_url=database_url), migrate=False)
    try:
        for task in tasks:
            other.complete_task(task.id, {"lmu_feedback": f"svar fra {task.assignee_id}"}, task.assignee_id, T0)
    finally:
        other.db.dispose()
    assert [(t.spec_id, t.assignee_id) for t in empty_vaern.tasks_of_case(case.id) if t.state == "open"] == [
        ("Task_rmu", "rmu-1")], "all LMUs answered, so the RMU follows up"
