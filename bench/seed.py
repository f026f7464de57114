"""Builds a large vaern database for benchmarks: an organisation of many departments, real open cases
through the engine, and many closed historical cases (with ten events each) written in bulk.

The closed cases are what a year or more of use leaves behind: they make the tables as big as a
region's would be, and the pages must stay fast in spite of them. They are inserted in SQL with a
placeholder state, since nothing reads a closed case's workflow on the measured paths; the open cases
are real, made by the engine, and are the ones the benchmarks open and complete.
"""
from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

from engine import Settings, open_vaern
from engine.models import Case, Event, Task

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = ROOT / "tests" / "diagrams" / "simple.bpmn"
PASSWORD = "bench-password"
T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
DEPARTMENTS = 1000


def organisation_yaml(departments: int = DEPARTMENTS, staff: int = 2) -> str:
    """A region, ten hospitals and `departments` departments, each with a leader and `staff` employees."""
    lines = ["units:", " - {id: region, name: Region, kind: region}"]
    lines += [f" - {{id: h{h}, name: Hospital {h}, kind: hospital, parent: region}}" for h in range(10)]
    lines += [f" - {{id: d{d}, name: Afdeling {d}, parent: h{d % 10}}}" for d in range(departments)]
    lines += ["people:", " - {id: dir, name: Direktør, unit: region}"]
    lines += [f" - {{id: hl{h}, name: Hospitalsleder {h}, unit: h{h}}}" for h in range(10)]
    for d in range(departments):
        lines += [f" - {{id: l{d}, name: Leder {d}, email: l{d}@bench.invalid, unit: d{d}}}",
                  f" - {{id: e{d}, name: Ansat {d}, unit: d{d}}}", f" - {{id: c{d}, name: Kollega {d}, unit: d{d}}}"]
        lines += [f" - {{id: c{d}-{k}, name: Kollega {d}-{k}, unit: d{d}}}" for k in range(2, staff)]
    lines += ["roles:", " - {unit: region, role: leader, person: dir}"]
    lines += [f" - {{unit: h{h}, role: leader, person: hl{h}}}" for h in range(10)]
    lines += [f" - {{unit: d{d}, role: leader, person: l{d}}}" for d in range(departments)]
    return "\n".join(lines) + "\n"


def open_service(url: str, staff: int = 2):
    """The engine on `url` with the benchmark organisation and diagram, created if missing."""
    service = open_vaern(Settings(database_url=url, workflow_cache_size=0))
    if not service.definitions():
        org = Path(tempfile.mkdtemp()) / "org.yaml"
        org.write_text(organisation_yaml(staff=staff), encoding="utf-8")
        service.import_org(org, "bench", T0)
        service.deploy(DIAGRAM.read_bytes(), "simple.bpmn", "bench", T0)
    return service


def set_passwords(service, people: list[str]) -> None:
    """Accounts for the people the load generator logs in as."""
    for person in people:
        service.set_password(person, PASSWORD, T0)


def start_open_cases(service, per_department: dict[int, int]) -> list[int]:
    """Real open cases through the engine: each waits for its department leader's first talk."""
    ids = []
    for department, count in per_department.items():
        for _ in range(count):
            case = service.start_case("simple", f"d{department}", {
                "employee_id": f"e{department}", "accused_id": f"c{department}",
                "description": "Benchmark"}, f"e{department}", T0)
            ids.append(case.id)
    return ids


def add_closed_cases(service, count: int, events_per_case: int = 10) -> None:
    """`count` closed historical cases spread over the departments, each with a completed task and events."""
    with service.uow() as uow:
        s = uow.session
        definition_id = service.definitions()[0].id
        first = (s.scalar(select(func.max(Case.id))) or 0) + 1
        for start in range(0, count, 5000):
            batch = range(first + start, first + min(count, start + 5000))
            cases, tasks, events = [], [], []
            for case_id in batch:
                department = case_id % DEPARTMENTS
                opened = T0 - timedelta(days=30 + case_id % 700)
                cases.append({"id": case_id, "kind": "simple", "definition_id": definition_id,
                              "unit_id": f"d{department}", "status": "closed", "serious": False,
                              "confidential": False, "escalated": False, "parties": {}, "state": "{}",
                              "version": 3, "created_by": f"e{department}", "created_at": opened,
                              "updated_at": opened + timedelta(days=2), "closed_at": opened + timedelta(days=2)})
                tasks.append({"id": f"hist-{case_id}", "case_id": case_id, "spec_id": "Task_talk",
                              "title": "Samtale med den berørte", "role": "leader", "unit_id": f"d{department}",
                              "assignee_id": f"l{department}", "state": "completed", "due_at": None,
                              "created_at": opened, "completed_at": opened + timedelta(days=1),
                              "completed_by": f"l{department}"})
                for n in range(events_per_case):
                    events.append({"at": opened + timedelta(minutes=n), "actor": f"l{department}",
                                   "action": "task_completed" if n % 3 else "notice", "case_id": case_id,
                                   "task_id": f"hist-{case_id}", "details": {"spec": "Task_talk"}})
            s.execute(insert(Case), cases)
            s.execute(insert(Task), tasks)
            s.execute(insert(Event), events)
        uow.commit()
    if service.db.dialect.name == "postgresql":
        with service.db.begin() as connection:
            connection.exec_driver_sql('ANALYZE "case"; ANALYZE task; ANALYZE event; ANALYZE task_candidate')


def counts(service) -> tuple[int, int]:
    """How many cases and events the database holds."""
    with service.uow() as uow:
        return (uow.session.scalar(select(func.count()).select_from(Case)),
                uow.session.scalar(select(func.count()).select_from(Event)))
