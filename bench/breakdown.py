"""Where a task completion's time goes: the SQL it sends, and serializing a real guideline case.

Run: `.venv/bin/python bench/breakdown.py [--postgres URL]` (also part of `make bench`). Prints, per
database, the statements one completion of the ten-task path sends (and how long the bare driver takes
to run the same statements, rolled back), then the size and (de)serialization time of a violence case
from workflows/violence.bpmn after a few steps.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench import results  # noqa: E402
from bench.engine import T0, TASKS, prepare, values  # noqa: E402
from engine import Settings, open_vaern  # noqa: E402
from engine import db as db_module  # noqa: E402
from engine.bpmn import workflow as wf_ops  # noqa: E402
from engine.cases import writes  # noqa: E402
from engine.models import Case  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def statements(url: str) -> dict:
    """The statements of one completion (captured without committing), and the driver's time for them."""
    prepare(url)
    service = open_vaern(Settings(database_url=url), migrate=False)
    sent: list[tuple] = []
    event.listen(service.db, "before_cursor_execute", lambda _c, _cur, sql, params, _ctx, many:
                 sent.append((sql, params, many)))
    case = service.start_case("bench_path", "u", {}, "bench", T0)
    [item] = [t for t in service.tasks_of_case(case.id) if t.state == "open"]
    sent.clear()
    # Flush what the commit would, then roll back: the captured statements can be run again.
    real_commit = db_module.UnitOfWork.commit
    db_module.UnitOfWork.commit = lambda uow: writes.flush_queued(uow.session)
    try:
        service.complete_task(item.id, values(1), "l", T0 + timedelta(minutes=1))
    finally:
        db_module.UnitOfWork.commit = real_commit
    raw = service.db.raw_connection()
    cursor, timings = raw.cursor(), []
    for _ in range(200):
        began = time.perf_counter()
        for sql, params, many in sent:
            (cursor.executemany if many else cursor.execute)(sql, params)
        raw.rollback()
        timings.append(time.perf_counter() - began)
    raw.close()
    service.db.dispose()
    median = statistics.median(timings) * 1000
    for sql, _, _ in sent:
        print(f"    {' '.join(sql.split())[:100]}")
    print(f"  {len(sent)} statements (besides BEGIN/COMMIT); the bare driver runs them in {median:.3f} ms")
    return {"statements": len(sent), "driver_ms": round(median, 3)}


def real_case() -> dict:
    """A violence case a few steps in: state size, tasks, and (de)serialization time."""
    from tests.conftest import DEMO_ORG
    from tests.scenario import deploy_guideline, filled
    from tests.test_scenario_violence import REPORT

    with tempfile.TemporaryDirectory() as tmp:
        service = open_vaern(Settings(database_url=f"sqlite:///{tmp}/real.sqlite3"))
        service.import_org(DEMO_ORG, "bench", T0)
        deploy_guideline(service, T0, "violence")
        case = service.start_case("violence", "afd-akut", dict(REPORT, serious=True), "ansat-akut", T0)
        for step in range(TASKS):
            open_now = [t for t in service.tasks_of_case(case.id) if t.state == "open"]
            if not open_now:
                break
            task = open_now[0]
            service.complete_task(task.id, filled(service, task.id), task.assignee_id or task.candidates[0],
                                  T0 + timedelta(hours=step))
        with service.uow() as uow:
            row = uow.session.get(Case, case.id)
            state, parsed = row.state, service.loader.parsed(row.definition)
        workflow = wf_ops.loads(state, parsed)
        dumps = _median(lambda: wf_ops.dumps(workflow), 200)
        loads = _median(lambda: wf_ops.loads(state, parsed), 50)
        service.db.dispose()
    tasks = len(wf_ops.all_tasks(workflow))
    print(f"  violence case: {len(state):,} bytes of state, {tasks} SpiffWorkflow tasks; "
          f"serialize {dumps:.3f} ms, deserialize {loads:.3f} ms")
    return {"state_bytes": len(state), "tasks": tasks, "dumps_ms": round(dumps, 3), "loads_ms": round(loads, 3)}


def _median(work, times: int) -> float:
    timings = []
    for _ in range(times):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="also run against this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/statements.sqlite3")]
        if args.postgres:
            targets.append(("postgresql", args.postgres))
        for name, url in targets:
            print(f"== one completion on {name}")
            if name == "postgresql":
                results.reset_postgres(url)
            figures[name] = statements(url)
    print("== a real case")
    figures["violence_case"] = real_case()
    results.store("breakdown", figures)


if __name__ == "__main__":
    main()
