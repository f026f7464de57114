"""Timers and notices in the web: the notices list and count, the escalation task's history, escalated marks,
and the timer scheduler the web process runs."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from flask import Flask

from tests.web.conftest import login, make_app, start_harassment, start_violence, task_of
from web import scheduling

LATER = timedelta(days=14)  # past the five working days after which a serious case escalates


def test_a_new_task_is_a_notice_with_a_count_in_the_header_until_read(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'Beskeder <span class="count" aria-label="1 ulæst">1</span>', html)
    html = client.get("/notices/").get_data(as_text=True)
    assert "Ny opgave" in html and f'href="/tasks/{item.task_id}"' in html and "Ulæst" in html
    assert f"Sag {case.id}" in html
    response = client.post("/notices/read")
    assert response.status_code == 302
    html = client.get("/notices/").get_data(as_text=True)
    assert "Alle beskeder er markeret som læst." in html and "Ulæst" not in html and 'class="count"' not in html
    assert vaern.unread_notice_count("leder-akut") == 0
    login(client, "tr-akut")
    assert "Ingen beskeder" in client.get("/notices/").get_data(as_text=True)


def test_reminders_and_escalations_are_listed_with_links(client, vaern):
    case = start_violence(vaern, serious=True)
    vaern.fire_due_timers(datetime.now(timezone.utc) + LATER)
    login(client, "leder-akut")
    html = client.get("/notices/").get_data(as_text=True)
    assert "Påmindelse" in html
    login(client, "tr-akut")
    assert "Eskaleret" in client.get("/notices/").get_data(as_text=True)
    login(client, "hosp-leder")
    html = client.get("/notices/").get_data(as_text=True)
    escalation = task_of(vaern, "hosp-leder", case.id, "escalation_leaders_leader")
    assert "Ny opgave" in html and f'href="/tasks/{escalation.task_id}"' in html


def test_the_escalation_task_shows_the_case_history_to_the_leader_s_leader(client, vaern):
    case = start_violence(vaern, serious=True, description="Slag i ansigtet")
    vaern.fire_due_timers(datetime.now(timezone.utc) + LATER)
    escalation = task_of(vaern, "hosp-leder", case.id, "escalation_leaders_leader")
    login(client, "hosp-leder")
    before = len(vaern.access_log())
    html = client.get(f"/tasks/{escalation.task_id}").get_data(as_text=True)
    assert "Sagens forløb" in html and "Sagen blev anmeldt" in html and "Sagen blev eskaleret" in html
    assert "Anna Ansat" in html.split("Sagens forløb")[1], "the leader's leader has the whole case, with names"
    assert 'class="mark escalated"' in html
    assert [r.purpose for r in vaern.access_log()[before:]] == ["task", "history"]
    tr_task = task_of(vaern, "tr-akut", case.id, "escalation_tr")
    login(client, "tr-akut")
    assert "Sagens forløb" not in client.get(f"/tasks/{tr_task.task_id}").get_data(as_text=True)


def test_escalated_cases_are_marked_on_the_case_page_and_in_my_reports(client, vaern):
    case = start_harassment(vaern, serious=True)
    vaern.fire_due_timers(datetime.now(timezone.utc) + LATER)
    assert vaern.case(case.id).escalated
    login(client, "leder-akut")
    assert 'class="mark escalated">Eskaleret' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'class="mark escalated">Eskaleret' in client.get("/").get_data(as_text=True)
    login(client, "ansat-akut")  # the affected reads where the case went, not the handlers' word for it
    assert 'class="mark escalated">Hos næste ledelsesniveau' in client.get("/reports").get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'class="mark escalated">Hos næste ledelsesniveau' in page and "Eskaleret" not in page


def test_the_scheduler_is_off_in_tests_and_on_by_default_elsewhere(app, monkeypatch):
    assert "vaern_scheduler" not in app.extensions
    monkeypatch.delenv("VAERN_SCHEDULER", raising=False)
    assert scheduling.wanted(Flask("x"), {}) is True
    testing = Flask("x")
    testing.config["TESTING"] = True
    assert scheduling.wanted(testing, {}) is False
    assert scheduling.wanted(testing, {"VAERN_SCHEDULER": True}) is True
    monkeypatch.setenv("VAERN_SCHEDULER", "0")
    assert scheduling.wanted(Flask("x"), {}) is False


def test_the_web_process_fires_due_timers_and_runs_one_scheduler(db_path):
    setup = make_app(db_path)
    # A serious case reported two weeks ago, while no scheduler ran: its timers are long due.
    case = setup.extensions["vaern"].start_case("violence", "afd-akut", {
        "employee_id": "ansat-akut", "reporter_id": "ansat-akut", "incident_at": "2026-01-05T10:00:00+01:00",
        "location": "Stue 3", "violence_type": "physical", "injured": False, "severity": 4,
        "witnesses_present": False, "witnesses": "", "serious": True, "description": "Slag"},
        "ansat-akut", datetime.now(timezone.utc) - LATER)
    setup.extensions["vaern"].db.dispose()
    app = make_app(db_path, VAERN_SCHEDULER=True)
    second = make_app(db_path, VAERN_SCHEDULER=True)
    try:
        assert "vaern_scheduler" in app.extensions and "vaern_scheduler" not in second.extensions
        vaern = app.extensions["vaern"]
        deadline = time.monotonic() + 20
        while not vaern.case(case.id).escalated and time.monotonic() < deadline:
            time.sleep(0.1)
        assert vaern.case(case.id).escalated, "the sweep at start fires what is due"
        assert task_of(vaern, "hosp-leder", case.id, "escalation_leaders_leader")
    finally:
        scheduling.stop(app)
        scheduling.stop(second)
        app.extensions["vaern"].db.dispose()
        second.extensions["vaern"].db.dispose()
    third = make_app(db_path, VAERN_SCHEDULER=True)
    assert "vaern_scheduler" in third.extensions, "after a stop the process may start one again"
    scheduling.stop(third)
    third.extensions["vaern"].db.dispose()


def test_vaern_run_with_the_reloader_starts_the_scheduler_only_in_the_serving_child(monkeypatch, tmp_path):
    from web.cli import cli

    started = []
    monkeypatch.setenv("VAERN_DATABASE_URL", f"sqlite:///{tmp_path / 'v.sqlite3'}")
    monkeypatch.setenv("VAERN_SECRET_KEY", "k")
    monkeypatch.delenv("VAERN_SCHEDULER", raising=False)
    monkeypatch.setattr("flask.Flask.run", lambda self, **kw: started.append("vaern_scheduler" in self.extensions))
    monkeypatch.setattr(scheduling, "start", lambda app: app.extensions.setdefault("vaern_scheduler", object()))
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert CliRunner().invoke(cli, ["run", "--debug"]).exit_code == 0
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    result = CliRunner().invoke(cli, ["run", "--debug"])
    assert result.exit_code == 0 and "VAERN_SCHEDULER=0" in result.output
    monkeypatch.delenv("WERKZEUG_RUN_MAIN")
    assert CliRunner().invoke(cli, ["run"]).exit_code == 0
    assert started == [False, True, True]
