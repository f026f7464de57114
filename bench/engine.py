"""Persisted task completion against SpiffWorkflow alone, for a path of 10 user tasks.

Run: `make bench` or `.venv/bin/python bench/engine.py [--cases N] [--postgres URL]`. Prints the
median and p99 time per task completion for each, in one process and in two at once (with the total
throughput), and the ratios to SpiffWorkflow alone in memory and to the least any durable engine must
do (SpiffWorkflow, its state serialized and committed in one row through the driver), all in one run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from bench import results  # noqa: E402
from engine import Settings, open_vaern  # noqa: E402
from engine.bpmn.definitions import validate  # noqa: E402
from engine.bpmn.expressions import restricted_script_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TASKS = 10
T0 = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


def path_diagram(n: int = TASKS) -> bytes:
    """A valid vaern diagram: start, n leader tasks with a small form in a row, end."""
    ids = [f"Task_{i}" for i in range(1, n + 1)]
    nodes = ["StartEvent_1", *ids, "End_1"]
    tasks = "".join(
        f'<bpmn:userTask id="{t}" name="Trin {i}"><bpmn:extensionElements><camunda:formData>'
        f'<camunda:formField id="note_{i}" label="Note {i}" type="string" />'
        f'<camunda:formField id="done_{i}" label="Udført {i}" type="boolean" />'
        f"</camunda:formData></bpmn:extensionElements></bpmn:userTask>" for i, t in enumerate(ids, 1))
    flows = "".join(f'<bpmn:sequenceFlow id="Flow_{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(nodes, nodes[1:])))
    refs = "".join(f"<bpmn:flowNodeRef>{n_}</bpmn:flowNodeRef>" for n_ in nodes)
    shapes = "".join(f'<bpmndi:BPMNShape id="{n_}_di" bpmnElement="{n_}"><dc:Bounds x="{200 + 150 * i}" y="100" '
                     f'width="100" height="80" /></bpmndi:BPMNShape>' for i, n_ in enumerate(nodes))
    edges = "".join(f'<bpmndi:BPMNEdge id="Flow_{i}_di" bpmnElement="Flow_{i}"><di:waypoint x="{300 + 150 * i}" '
                    f'y="140" /><di:waypoint x="{350 + 150 * i}" y="140" /></bpmndi:BPMNEdge>' for i in range(len(nodes) - 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_bench" targetNamespace="http://vaern.example/bpmn">
<bpmn:process id="bench_path" name="Ti trin" isExecutable="true">
<bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_leader" name="leader">{refs}</bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="StartEvent_1" />{tasks}<bpmn:endEvent id="End_1" />{flows}
</bpmn:process>
<bpmndi:BPMNDiagram id="Diagram_1"><bpmndi:BPMNPlane id="Plane_1" bpmnElement="bench_path">
<bpmndi:BPMNShape id="Lane_leader_di" bpmnElement="Lane_leader"><dc:Bounds x="150" y="50" width="2000" height="200" /></bpmndi:BPMNShape>
{shapes}{edges}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>""".encode()


def values(i: int) -> dict:
    return {f"note_{i}": f"trin {i} udført", f"done_{i}": True}


def spiff_path(cases: int, persist=None, start=None) -> list[float]:
    """Seconds per task completion with SpiffWorkflow alone; `persist(case, workflow)`, if given, runs
    after each step inside the timing, and `start(case, workflow)` once a case has started, outside it."""
    parsed = validate(path_diagram(), "bench.bpmn", 10_000_000)
    timings = []
    for case in range(cases):
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=restricted_script_engine())
        workflow.do_engine_steps()
        if start:
            start(case, workflow)
        for i in range(1, TASKS + 1):
            began = time.perf_counter()
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            task.data.update(values(i))
            task.run()
            workflow.do_engine_steps()
            if persist:
                persist(case, workflow)
            timings.append(time.perf_counter() - began)
        assert workflow.is_completed()
    return timings


def in_memory(cases: int, serialize: bool = False) -> list[float]:
    """Seconds per task completion with SpiffWorkflow alone (no database); with `serialize`, also writing
    the workflow's state out after each completion, which any persistence must pay."""
    from engine.bpmn import workflow as wf_ops

    return spiff_path(cases, (lambda _case, workflow: wf_ops.dumps(workflow)) if serialize else None)


def minimal_persistence(url: str, cases: int) -> list[float]:
    """Seconds per task completion for the least any durable engine must do: SpiffWorkflow alone, the
    state serialized, written to one row and committed, straight through the database driver, on a
    connection set up as vaern's are."""
    from engine.bpmn import workflow as wf_ops
    from engine.db import make_engine

    engine = make_engine(url)  # the connection settings vaern uses (on SQLite: WAL, synchronous=NORMAL)
    connection = engine.raw_connection()
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.cursor()
    cursor.execute("DROP TABLE IF EXISTS bench_minimal_state")
    cursor.execute("CREATE TABLE bench_minimal_state (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    connection.commit()
    def write(statement: str):
        def run(case: int, workflow) -> None:
            cursor.execute(statement, (wf_ops.dumps(workflow), case))
            connection.commit()
        return run

    timings = spiff_path(cases, persist=write(f"UPDATE bench_minimal_state SET state = {marker} WHERE id = {marker}"),
                         start=write(f"INSERT INTO bench_minimal_state (state, id) VALUES ({marker}, {marker})"))
    cursor.execute("DROP TABLE bench_minimal_state")
    connection.commit()
    connection.close()
    engine.dispose()
    return timings


def prepare(url: str) -> None:
    """The organisation and the ten-task diagram, in a fresh database."""
    service = open_vaern(Settings(database_url=url))
    org = Path(tempfile.mkdtemp()) / "org.yaml"
    org.write_text("units:\n - {id: u, name: Enhed}\npeople:\n - {id: l, name: Leder}\n"
                   "roles:\n - {unit: u, role: leader, person: l}\n", encoding="utf-8")
    service.import_org(org, "bench", T0)
    service.deploy(path_diagram(), "bench.bpmn", "bench", T0)
    service.db.dispose()


def persisted(url: str, cases: int, cache: bool = True) -> list[float]:
    """Seconds per task completion through vaern: load, validate, complete, project, save, commit.

    Without `cache`, every command deserializes the case's state, as in a process that did not save
    it last (one of several web workers, say)."""
    settings = Settings(database_url=url)
    if not cache:
        settings = replace(settings, workflow_cache_size=0)
    service = open_vaern(settings, migrate=False)
    timings = []
    for _ in range(cases):
        case = service.start_case("bench_path", "u", {}, "bench", T0)
        for i in range(1, TASKS + 1):
            [item] = [x for x in service.tasks_of_case(case.id) if x.state == "open"]
            start = time.perf_counter()
            service.complete_task(item.id, values(i), "l", T0 + timedelta(minutes=i))
            timings.append(time.perf_counter() - start)
        assert service.case(case.id).status == "closed"
    service.db.dispose()
    return timings


def in_processes(url: str, processes: int, cases: int) -> tuple[list[float], float]:
    """Completion timings from `processes` processes at once, and their total throughput per second."""
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", url, "--cases", str(cases)],
                                stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    timings, spans = [], []
    for worker in workers:
        out, _ = worker.communicate(timeout=1800)
        if worker.returncode != 0:
            raise RuntimeError("a benchmark worker failed")
        report = json.loads(out.splitlines()[-1])
        timings.extend(report["timings"])
        spans.append((report["began"], report["ended"]))
    # Throughput over the time the workers were working (their start-up is not the engine's cost).
    return timings, len(timings) / (max(e for _, e in spans) - min(b for b, _ in spans))


def summary(label: str, timings: list[float], throughput: float | None = None) -> dict:
    ordered = sorted(timings)
    median = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    rate = f"   {throughput:6.0f} completions/s" if throughput else ""
    print(f"{label:<44} median {median * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms   n={len(ordered)}{rate}")
    return {"median_ms": round(median * 1000, 3), "p99_ms": round(p99 * 1000, 3), "n": len(ordered),
            **({"per_second": round(throughput, 1)} if throughput else {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--postgres", default=None, help="also run against this (empty) PostgreSQL database URL")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        began = time.time()
        timings = persisted(args.worker, args.cases)
        print(json.dumps({"timings": timings, "began": began, "ended": time.time()}))
        return
    print(f"path of {TASKS} user tasks, {args.cases} cases per process")
    figures = {"in_memory": summary("SpiffWorkflow alone, in memory", in_memory(args.cases)),
               "in_memory_serialized": summary("SpiffWorkflow + serializing the state", in_memory(args.cases, serialize=True))}
    targets = []
    tmp = tempfile.TemporaryDirectory()
    targets.append(("sqlite", f"sqlite:///{tmp.name}/bench.sqlite3"))
    if args.postgres:
        targets.append(("postgresql", args.postgres))
    for name, url in targets:
        if name == "postgresql":
            results.reset_postgres(url)
        prepare(url)
        minimal = summary(f"minimal persistence, {name} (driver only)", minimal_persistence(url, args.cases))
        one = summary(f"vaern persisted, {name}, 1 process", *in_processes(url, 1, args.cases))
        uncached = summary(f"vaern persisted, {name}, state read each time", persisted(url, args.cases, cache=False))
        two = summary(f"vaern persisted, {name}, 2 processes", *in_processes(url, 2, args.cases))
        ratio = one["median_ms"] / figures["in_memory"]["median_ms"]
        ratio_minimal = one["median_ms"] / minimal["median_ms"]
        print(f"ratio persisted/in-memory ({name}, 1 process): {ratio:.1f}x; "
              f"persisted/minimal persistence: {ratio_minimal:.1f}x")
        figures[name] = {"minimal_persistence": minimal, "one_process": one, "one_process_uncached": uncached,
                         "two_processes": two, "ratio_to_in_memory": round(ratio, 1),
                         "ratio_to_minimal_persistence": round(ratio_minimal, 1)}
    tmp.cleanup()
    results.store("engine", figures)


if __name__ == "__main__":
    main()
