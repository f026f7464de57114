"""Fixtures for the web tests: the app on a fresh SQLite file with the demo organisation and the guideline."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import pytest

from engine import DEMO_PASSWORD, Settings, open_vaern
from tests.conftest import DEMO_ORG
from tests.scenario import deploy_guideline
from web import create_app

ACCOUNTS = ("ansat-akut", "kollega-akut", "leder-akut", "leder-psyk", "hosp-leder", "tr-akut", "amr-akut",
            "hr-hosp", "koncern-hr", "lmu-akut")


def prepare_database(url: str) -> None:
    """The demo organisation, accounts for the people the tests log in as, and all three diagrams."""
    vaern = open_vaern(Settings(database_url=url))
    now = datetime.now(timezone.utc)
    vaern.import_org(DEMO_ORG, "admin", now)
    for person in ACCOUNTS:
        vaern.set_password(person, DEMO_PASSWORD, now, admin=person == "koncern-hr")
    deploy_guideline(vaern, now)
    vaern.db.dispose()


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory):
    """One prepared database file, copied for every test (hashing passwords is slow on purpose)."""
    path = tmp_path_factory.mktemp("web-template") / "vaern.sqlite3"
    prepare_database(f"sqlite:///{path}")
    return path


def make_app(db_path, **config):
    """The app on the given SQLite file; CSRF off unless asked for."""
    base = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, "VAERN_DEMO": False,
            "VAERN_SETTINGS": Settings(database_url=f"sqlite:///{db_path}")}
    return create_app({**base, **config})


@pytest.fixture
def db_path(prepared_db, tmp_path):
    path = tmp_path / "vaern.sqlite3"
    path.write_bytes(prepared_db.read_bytes())
    return path


@pytest.fixture
def app(db_path):
    app = make_app(db_path)
    yield app
    app.extensions["vaern"].db.dispose()


@pytest.fixture
def csrf_app(db_path):
    app = make_app(db_path, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["vaern"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def vaern(app):
    return app.extensions["vaern"]


def login(client, person: str, password: str = DEMO_PASSWORD):
    """Log the client in as a person; returns the response."""
    return client.post("/login", data={"login": person, "password": password})


def as_person(client, vaern, person: str) -> None:
    """Make the client's session that of `person`, as a log-in would, without hashing a password."""
    with client.session_transaction() as session:
        session.clear()
        session.update(person_id=person, since=time.time(), generation=vaern.person(person).session_generation)


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token a page of the app hands out to this client."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def start_violence(vaern, reporter: str = "ansat-akut", **extra):
    """A violence case started straight through the engine, as the report form would."""
    data = {"employee_id": "ansat-akut", "reporter_id": reporter, "incident_at": "2026-01-05T10:00:00+01:00",
            "location": "Stue 3", "violence_type": "physical", "injured": False, "severity": 3,
            "witnesses_present": False, "witnesses": "", "serious": False, "description": "Slag på armen", **extra}
    return vaern.start_case("violence", "afd-akut", data, reporter, datetime.now(timezone.utc))


def start_harassment(vaern, reporter: str = "ansat-akut", **extra):
    """A harassment case started straight through the engine."""
    data = {"report_source": "affected", "kind": "bullying", "serious": False, "employee_id": "ansat-akut",
            "accused_id": "kollega-akut", "reporter_id": reporter, "description": "Bliver holdt udenfor", **extra}
    return vaern.start_case("harassment", "afd-akut", data, reporter, datetime.now(timezone.utc))


def task_of(vaern, person: str, case_id: int, spec_id: str | None = None):
    """The person's one open task in the case (optionally of a diagram element)."""
    items = [i for i in vaern.inbox(person, datetime.now(timezone.utc)) if i.case_id == case_id]
    if spec_id:
        items = [i for i in items if vaern.task(i.task_id).spec_id == spec_id]
    assert len(items) == 1, [i.title for i in items]
    return items[0]


def drive_case(vaern, case, answers, until, roles=("leader",), steps=30) -> None:
    """Complete the open tasks of the given roles (answers per diagram element) until `until()` holds."""
    from tests.scenario import filled

    now = datetime.now(timezone.utc)
    for _ in range(steps):
        if until():
            return
        tasks = [t for t in vaern.tasks_of_case(case.id) if t.state == "open" and t.role in roles]
        assert tasks, f"case {case.id} waits on nobody in {roles}"
        task = tasks[0]
        vaern.complete_task(task.id, filled(vaern, task.id, **answers.get(task.spec_id, {})),
                            task.assignee_id or task.candidates[0], now)
    raise AssertionError(f"case {case.id} did not get there in {steps} steps")


def has_task(vaern, person: str, case) -> bool:
    """Whether the person has an open task in the case."""
    return any(i.case_id == case.id for i in vaern.inbox(person, datetime.now(timezone.utc)))


# Answers that take a harassment case to HR's sparring and on to the parties' hearings.
TO_THE_HEARINGS = {"Task_Conversation": {"wants_confidentiality": False},
                   "Task_Assess": {"cause": "individual", "hr_sparring": True}}
