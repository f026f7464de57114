"""The inbox: my tasks and my roles' tasks, most urgent first, with counts and an empty state."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.web.conftest import login, make_app, start_harassment, start_violence


def test_an_empty_inbox_says_what_to_do_next(client):
    login(client, "ansat-akut")
    html = client.get("/").get_data(as_text=True)
    assert "Ingen opgaver lige nu" in html and 'href="/report"' in html and "0 åbne opgaver" in html


def test_tasks_show_kind_unit_due_date_and_marks(client, vaern):
    start_violence(vaern, serious=True)
    start_harassment(vaern)
    login(client, "leder-akut")
    html = client.get("/").get_data(as_text=True)
    assert "2 åbne opgaver" in html
    assert "Vold fra borgere, patienter eller pårørende" in html and "Krænkende handlinger mellem ansatte" in html
    assert "Akutafdelingen" in html and "som Leder" in html and "Frist" in html and "Alvorlig" in html
    assert html.index("Første samtale med den udsatte (alvorlig sag)") < html.index("Samtale med den ramte")


def test_overdue_and_escalated_tasks_come_first(db_path):
    later = datetime.now(timezone.utc) + timedelta(days=30)
    app = make_app(db_path, CLOCK=lambda: later)
    vaern = app.extensions["vaern"]
    start_harassment(vaern)
    serious = start_violence(vaern, serious=True)
    vaern.fire_due_timers(later)
    client = app.test_client()
    login(client, "leder-akut")
    html = client.get("/").get_data(as_text=True)
    # Both are late: since issue 13 a harassment conversation has a deadline too (it is not serious, so not escalated).
    assert "2 forsinkede" in html and "Forsinket" in html and "1 eskaleret" in html
    assert html.index("(alvorlig sag)") < html.index("Samtale med den ramte")
    login(client, "hosp-leder")
    html = client.get("/").get_data(as_text=True)
    assert "Opfølgning på alvorlig sag" in html and f"Sag {serious.id}" in html
    app.extensions["vaern"].db.dispose()


def test_the_accused_sees_only_their_own_hearing_not_the_leader_s_tasks(client, vaern):
    start_harassment(vaern)
    login(client, "kollega-akut")
    assert "Ingen opgaver lige nu" in client.get("/").get_data(as_text=True)
