"""'Tal og tendenser' and an LMU's annual task page at 100,000 cases against the inbox at 1,000, in one run.

Run: `.venv/bin/python bench/figures_page.py [--postgres URL]` (also part of `make bench`). The target
(issue 17): the figures page for the whole region and for one hospital, and an LMU's task in the annual
round (its frozen figures), with 100,000 violence and harassment cases in the year, within 2x of the
inbox's median with 1,000 cases. In process (Flask test client), first with 1,000 cases, then after
adding 99,000 with their facts, steps and reminders in bulk; then ten departments get an LMU and the
round of the next year starts.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from unittest import mock
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench import results  # noqa: E402
from bench.seed import (  # noqa: E402
    DEPARTMENTS,
    PASSWORD,
    ROOT,
    add_closed_cases,
    open_service,
    organisation_yaml,
    set_passwords,
    start_open_cases,
)
from bench.web_load import SERVER_ENV, ms  # noqa: E402
from engine.models import Case, CaseFact, Event, Task  # noqa: E402

REPEAT = 30
YEAR = 2026
CATEGORIES = ("violence_physical", "violence_psychological", "offensive", "bullying", "sexual_harassment", "sexism")
ACTORS = ("patient", "citizen", "relative", "colleague", "manager")


def add_figure_cases(service, count: int) -> None:
    """`count` closed violence and harassment cases of the year, each with its facts, a step and events."""
    rng = random.Random(17)
    with service.uow() as uow:
        s = uow.session
        definition_id = service.definitions()[0].id
        first = (s.scalar(select(func.max(Case.id))) or 0) + 1
        for start in range(0, count, 5000):
            cases, facts, tasks, events = [], [], [], []
            for case_id in range(first + start, first + min(count, start + 5000)):
                department = rng.randrange(DEPARTMENTS)
                opened = datetime(YEAR, rng.randint(1, 11), rng.randint(1, 28), 9, tzinfo=timezone.utc)
                category = rng.choice(CATEGORIES)
                cases.append({"id": case_id, "kind": "violence" if category.startswith("violence") else "harassment",
                              "definition_id": definition_id, "unit_id": f"d{department}", "status": "closed",
                              "serious": rng.random() < 0.1, "confidential": False, "escalated": rng.random() < 0.05,
                              "parties": {}, "state": "{}", "version": 3, "created_by": f"e{department}",
                              "created_at": opened, "updated_at": opened + timedelta(days=9),
                              "closed_at": opened + timedelta(days=9)})
                facts.append({"case_id": case_id, "category": category, "severity": rng.randint(1, 5),
                              "acted_by": rng.choice(ACTORS), "injured": rng.random() < 0.2})
                talked = opened + timedelta(days=rng.randint(0, 6))
                tasks.append({"id": f"fig-{case_id}", "case_id": case_id, "spec_id": "first_talk",
                              "title": "Første samtale med den udsatte", "role": "leader", "unit_id": f"d{department}",
                              "assignee_id": None, "state": "completed", "due_at": opened + timedelta(days=3),
                              "created_at": opened, "completed_at": talked, "completed_by": None})
                events.append({"at": talked, "actor": f"l{department}", "action": "task_completed",
                               "case_id": case_id, "task_id": f"fig-{case_id}", "details": {"spec": "first_talk"}})
                if rng.random() < 0.3:
                    events.append({"at": opened + timedelta(days=2), "actor": "system", "action": "notice",
                                   "case_id": case_id, "task_id": None, "details": {"notice": "reminder"}})
            s.execute(insert(Case), cases)
            s.execute(insert(CaseFact), facts)
            s.execute(insert(Task), tasks)
            s.execute(insert(Event), events)
        uow.commit()
    if service.db.dialect.name == "postgresql":
        with service.db.begin() as connection:
            connection.exec_driver_sql('ANALYZE "case"; ANALYZE case_fact; ANALYZE task; ANALYZE event')


def start_round(service) -> str:
    """Give ten departments an LMU (m0 sits for d0) and start next year's round; returns m0's task id."""
    now = datetime(YEAR + 1, 2, 1, 8, tzinfo=timezone.utc)
    org = Path(tempfile.mkdtemp()) / "org.yaml"
    extra = [" - {id: rmu, name: RMU, unit: region}", " - {id: hmu0, name: HMU 0, unit: h0}",
             *(f" - {{id: m{d}, name: LMU {d}, unit: d{d}}}" for d in range(10))]
    roles = [" - {unit: region, role: rmu, person: rmu}", " - {unit: h0, role: hmu, person: hmu0}",
             *(f" - {{unit: d{d}, role: lmu, person: m{d}}}" for d in range(10))]
    text = organisation_yaml().replace("roles:\n", "\n".join(extra) + "\nroles:\n" + "\n".join(roles) + "\n")
    org.write_text(text, encoding="utf-8")
    service.import_org(org, "bench", now)
    path = ROOT / "workflows" / "annual_med.bpmn"
    service.deploy(path.read_bytes(), str(path), "bench", now)
    set_passwords(service, ["m0"])
    case = service.start_case("annual_med", "region", {"year": YEAR + 1}, "rmu", now)
    [task] = [t for t in service.tasks_of_case(case.id) if t.spec_id == "lmu_annual_discussion" and t.unit_id == "d0"]
    return task.id


def timed(client, path: str, repeat: int = REPEAT) -> dict:
    """Median and p99 of GET `path`, which must answer 200."""
    client.get(path)  # warm: templates compiled, the organisation snapshot loaded
    values = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(path)
        values.append(time.perf_counter() - began)
        assert response.status_code == 200, (path, response.status_code)
    return ms(values)


def client_for(url: str, person: str, cache_seconds: int = 300):
    """A logged-in test client of a fresh app on `url`; cache_seconds=0 counts every view afresh."""
    os.environ.update({**SERVER_ENV, "VAERN_DATABASE_URL": url, "VAERN_FIGURES_CACHE_SECONDS": str(cache_seconds)})
    from web import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "VAERN_SCHEDULER": False})
    client = app.test_client()
    assert client.post("/login", data={"login": person, "password": PASSWORD}).status_code in (200, 302)
    return app, client


def run(url: str) -> dict:
    """Inbox at 1,000 cases, then the figures pages at 100,000, on one database."""
    service = open_service(url)
    set_passwords(service, ["l0", "dir", "hl0"])
    start_open_cases(service, {0: 5})
    add_closed_cases(service, 995)
    app, client = client_for(url, "l0")
    inbox = timed(client, "/")
    app.extensions["vaern"].db.dispose()
    add_figure_cases(service, 99_000)
    with service.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(Case))
    began = time.perf_counter()
    lmu_task = start_round(service)
    round_started = round((time.perf_counter() - began) * 1000, 1)
    service.db.dispose()
    figures = {"inbox_1000": inbox, "cases": total, "round_start_ms": round_started}
    app, client = client_for(url, "m0")
    figures["lmu_task"] = timed(client, f"/tasks/{lmu_task}")
    import web.tasks
    with mock.patch.object(web.tasks, "_committee", lambda task_id, frozen: None):
        # The same page without its figures: what the task page itself costs (its 30-field form, the case).
        figures["lmu_task_without_figures"] = timed(client, f"/tasks/{lmu_task}")
    app.extensions["vaern"].db.dispose()
    for label, person, unit in (("region", "dir", "region"), ("hospital", "hl0", "h0")):
        app, client = client_for(url, person)
        figures[f"figures_{label}"] = timed(client, f"/figures/?unit={unit}&year={YEAR}")
        figures[f"csv_{label}"] = timed(client, f"/figures/figures.csv?unit={unit}&year={YEAR}", repeat=10)
        app.extensions["vaern"].db.dispose()
        app, client = client_for(url, person, cache_seconds=0)
        figures[f"cold_{label}"] = timed(client, f"/figures/?unit={unit}&year={YEAR}", repeat=5)
        app.extensions["vaern"].db.dispose()
    figures["ratio_region_to_inbox"] = round(figures["figures_region"]["median_ms"] / inbox["median_ms"], 2)
    figures["ratio_hospital_to_inbox"] = round(figures["figures_hospital"]["median_ms"] / inbox["median_ms"], 2)
    figures["ratio_lmu_task_to_inbox"] = round(figures["lmu_task"]["median_ms"] / inbox["median_ms"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="also run against this PostgreSQL URL")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/figures.sqlite3")]
        if args.postgres:
            targets.append(("postgresql", args.postgres))
        for label, url in targets:
            if label == "postgresql":
                results.reset_postgres(url)
            row = figures[label] = run(url)
            print(f"{label}: inbox at 1,000 cases {row['inbox_1000']['median_ms']} ms; at {row['cases']:,} cases "
                  f"the figures page for the region {row['figures_region']['median_ms']} ms "
                  f"({row['ratio_region_to_inbox']}x), for a hospital {row['figures_hospital']['median_ms']} ms "
                  f"({row['ratio_hospital_to_inbox']}x); CSV {row['csv_region']['median_ms']} / "
                  f"{row['csv_hospital']['median_ms']} ms; counted afresh every view: region "
                  f"{row['cold_region']['median_ms']} ms, hospital {row['cold_hospital']['median_ms']} ms; "
                  f"an LMU's annual task {row['lmu_task']['median_ms']} ms ({row['ratio_lmu_task_to_inbox']}x; "
                  f"{row['lmu_task_without_figures']['median_ms']} ms without its figures; "
                  f"starting the round with its ten LMUs' figures frozen: {row['round_start_ms']} ms)", flush=True)
    results.store("figures", figures)


if __name__ == "__main__":
    main()
