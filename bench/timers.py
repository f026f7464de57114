"""Timer benchmarks: how late timers fire, and what a sweep costs as open cases grow.

Run: `.venv/bin/python bench/timers.py [--postgres URL]` (also part of `make bench`).

1. Delay: 10,000 pending timers; 200 of them fall due over the next 20 seconds while the scheduler
   runs in this process on the real clock. Prints the delay from due time to the sweep that fired
   it (wake-up), and to the commit of that sweep (an upper bound on when the case was saved).
2. Sweep cost: a sweep that finds 10 due timers, with 1k, 10k and 100k open cases in the database.
   It must grow with the number of due timers, not of open cases.

The many cases are cloned from one real case in SQL, so setting them up takes seconds, not hours.
Cases that never fall due during the benchmark get a placeholder state: the sweep never loads them,
which is exactly the property measured. Cases that do fall due get the real state, with the due time
of their timer rewritten.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench import results  # noqa: E402
from engine import Settings, open_vaern  # noqa: E402
from engine.cases.scheduler import TimerScheduler  # noqa: E402
from engine.models import Case, Event, Timer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = ROOT / "tests" / "diagrams" / "simple.bpmn"
ORG = ROOT / "demo" / "organisation.yaml"
PARTIES = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}


def _service(url: str):
    service = open_vaern(Settings(database_url=url))
    now = datetime.now(timezone.utc)
    service.import_org(ORG, "bench", now)
    service.deploy(DIAGRAM.read_bytes(), "simple.bpmn", "bench", now)
    return service


def _template(service, due: datetime) -> tuple[dict, str]:
    """A real case whose reminder falls due at `due`: its row values and the due time as stored in its state."""
    case = service.start_case("simple", "afd-akut", PARTIES, "bench", due - timedelta(days=2))
    with service.uow() as uow:
        row = uow.session.get(Case, case.id)
        values = {c.name: getattr(row, c.name) for c in Case.__table__.columns if c.name != "id"}
        timer_due = uow.session.scalar(select(Timer.due_at).where(Timer.case_id == case.id))
    stored = next(part for part in values["state"].split('"') if part.startswith(timer_due.isoformat()[:19]))
    return values, stored


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _fresh_ids(state: str) -> str:
    """The same state with new task ids, as a case of its own would have."""
    fresh: dict[str, str] = {}
    return _UUID.sub(lambda m: fresh.setdefault(m.group(0), str(uuid.uuid4())), state)


def clone(service, values: dict, stored_due: str, dues: list[datetime], real_state: bool) -> list[int]:
    """Insert one case and one timer row per due time, copied from the template case; returns their ids."""
    with service.uow() as uow:
        s = uow.session
        first = (s.scalar(select(func.max(Case.id))) or 0) + 1
        rows, timers = [], []
        for offset, due in enumerate(dues):
            state = _fresh_ids(values["state"].replace(stored_due, due.isoformat())) if real_state else "{}"
            rows.append({**values, "id": first + offset, "state": state})
            timers.append({"id": f"bench-{first + offset}", "case_id": first + offset, "spec_id": "Timer_remind",
                           "due_at": due})
        for start in range(0, len(rows), 5000):
            s.execute(insert(Case), rows[start:start + 5000])
            s.execute(insert(Timer), timers[start:start + 5000])
        uow.commit()
    if service.db.dialect.name == "postgresql":
        # Production tables are analysed by autovacuum; after a bulk insert, do it now.
        with service.db.begin() as connection:
            connection.exec_driver_sql("ANALYZE timer; ANALYZE \"case\"")
    return [first + offset for offset in range(len(dues))]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def delay_benchmark(url: str) -> None:
    service = _service(url)
    start = datetime.now(timezone.utc) + timedelta(seconds=3)
    values, stored = _template(service, start)
    soon = [start + timedelta(seconds=20 * i / 200) for i in range(200)]
    later = [start + timedelta(hours=1, seconds=i) for i in range(9_800)]
    due_of = dict(zip(clone(service, values, stored, soon, real_state=True), soon))
    clone(service, values, stored, later, real_state=False)
    with service.uow() as uow:
        pending = uow.session.scalar(select(func.count()).select_from(Timer))
    sweeps: list[tuple[datetime, datetime]] = []
    lock = threading.Lock()
    scheduler = TimerScheduler(service, sweep_seconds=60)
    plain_sweep = scheduler.sweep

    def timed_sweep():
        began = datetime.now(timezone.utc)
        moved = plain_sweep()
        with lock:
            sweeps.append((began, datetime.now(timezone.utc)))
        return moved

    scheduler.sweep = timed_sweep
    scheduler.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with service.uow() as uow:
            fired = uow.session.scalar(select(func.count()).select_from(Event).where(
                Event.action == "timer_fired", Event.case_id.in_(list(due_of))))
        if fired >= len(soon):
            break
        time.sleep(0.2)
    scheduler.shutdown()
    with service.uow() as uow:
        events = list(uow.session.execute(select(Event.case_id, Event.at).where(Event.action == "timer_fired")))
    wake = [(at - due_of[case_id]).total_seconds() for case_id, at in events if case_id in due_of]
    saved = [(next(e for b, e in sweeps if b <= at <= e) - due_of[case_id]).total_seconds()
             for case_id, at in events if case_id in due_of]
    print(f"pending timers: {pending:,}; fired {len(wake)} of {len(soon)} that fell due over 20 s")
    figures = {"pending": pending, "fired": len(wake), "due": len(soon)}
    if wake:
        print(f"  delay due -> sweep that fired it:  median {statistics.median(wake) * 1000:7.1f} ms   "
              f"p99 {percentile(wake, 0.99) * 1000:7.1f} ms")
        print(f"  delay due -> that sweep committed:  median {statistics.median(saved) * 1000:7.1f} ms   "
              f"p99 {percentile(saved, 0.99) * 1000:7.1f} ms")
        figures.update(wake_median_ms=round(statistics.median(wake) * 1000, 1),
                       wake_p99_ms=round(percentile(wake, 0.99) * 1000, 1),
                       saved_median_ms=round(statistics.median(saved) * 1000, 1),
                       saved_p99_ms=round(percentile(saved, 0.99) * 1000, 1))
    service.db.dispose()
    return figures


def sweep_benchmark(url: str) -> None:
    service = _service(url)
    now = datetime.now(timezone.utc)
    values, stored = _template(service, now - timedelta(minutes=5))
    service.fire_due_timers(now)  # the template itself is due; fire it before measuring
    total = 0
    figures = {}
    for open_cases in (1_000, 10_000, 100_000):
        clone(service, values, stored, [now + timedelta(days=30, seconds=i) for i in range(open_cases - total)],
              real_state=False)
        total = open_cases
        timings = []
        for _ in range(3):
            clone(service, values, stored, [now - timedelta(minutes=1)] * 10, real_state=True)
            began = time.perf_counter()
            moved = service.fire_due_timers(now)
            timings.append(time.perf_counter() - began)
            assert moved == 10, moved
        empty = []
        for _ in range(5):
            began = time.perf_counter()
            service.fire_due_timers(now)
            empty.append(time.perf_counter() - began)
        print(f"  {open_cases:>7,} open cases: sweep with 10 due {statistics.median(timings) * 1000:7.1f} ms, "
              f"sweep with none due {statistics.median(empty) * 1000:6.2f} ms")
        figures[str(open_cases)] = {"sweep_10_due_ms": round(statistics.median(timings) * 1000, 1),
                                    "sweep_none_due_ms": round(statistics.median(empty) * 1000, 2)}
    service.db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="also run against this PostgreSQL URL")
    args = parser.parse_args()
    targets, figures = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite", f"sqlite:///{tmp}/delay.sqlite3", f"sqlite:///{tmp}/sweep.sqlite3"))
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres, args.postgres))
        for label, delay_url, sweep_url in targets:
            print(f"== {label}")
            if label == "PostgreSQL":
                results.reset_postgres(delay_url)
            delay = delay_benchmark(delay_url)
            if label == "PostgreSQL":
                results.reset_postgres(sweep_url)
            print("sweep cost:")
            figures[label.lower()] = {"delay": delay, "sweep": sweep_benchmark(sweep_url)}
    results.store("timers", figures)


if __name__ == "__main__":
    main()
