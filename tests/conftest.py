"""Shared fixtures: a real database (SQLite file, and PostgreSQL where one answers) and the engine."""
from __future__ import annotations

import inspect
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Settings, Vaern, open_vaern

ROOT = Path(__file__).resolve().parent.parent
DIAGRAMS = Path(__file__).resolve().parent / "diagrams"
DEMO_ORG = ROOT / "demo" / "organisation.yaml"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
POSTGRES_URL = os.environ.get("VAERN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect means: no server to test against here
        return f"no PostgreSQL server answers at {POSTGRES_URL} ({type(exc).__name__})"


_PG_SKIP = _postgres_reason()


def _drives_a_browser(module) -> bool:
    # A browser test needs tests/web/browser.py or Playwright itself; either sits among its module's names.
    return any(inspect.ismodule(value) and (value.__name__ == "tests.web.browser"
                                            or value.__name__.partition(".")[0] == "playwright")
               for value in vars(module).values())


def pytest_collection_modifyitems(items) -> None:
    """Mark `browser` every test of a module that drives a browser, so that no new one can forget the marker."""
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and _drives_a_browser(module):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database: a SQLite file, or the PostgreSQL test database wiped clean."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vaern.sqlite3'}"
        return
    if _PG_SKIP:
        if os.environ.get("VAERN_REQUIRE_POSTGRES") == "1":
            pytest.fail(_PG_SKIP)
        pytest.skip(_PG_SKIP)
    from sqlalchemy import create_engine

    # A schema of its own per test, so parallel runs against the one test database never collide.
    schema = f"vaern_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def empty_vaern(database_url) -> Vaern:
    """The engine on a fresh, empty database."""
    service = open_vaern(Settings(database_url=database_url))
    yield service
    service.db.dispose()


@pytest.fixture
def vaern(empty_vaern) -> Vaern:
    """The engine with the demo organisation and the test diagram deployed."""
    empty_vaern.import_org(DEMO_ORG, "admin", T0)
    empty_vaern.deploy((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", "admin", T0)
    return empty_vaern


def simple_xml() -> str:
    """The test diagram's XML, for making broken variants of it."""
    return (DIAGRAMS / "simple.bpmn").read_text(encoding="utf-8")
