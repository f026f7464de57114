"""The administrator's button "Start årets runde": starts the year's MED round once, says so in Danish
when it already runs, needs CSRF, and is the administrators' alone."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from html import unescape

import pytest

from tests.web.conftest import login, make_app

# 10 January 2027: before the diagram's own start date (1 February), so only the button starts a round.
MOMENT = datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def csrf_app(db_path):
    app = make_app(db_path, WTF_CSRF_ENABLED=True, CLOCK=lambda: MOMENT)
    yield app
    app.extensions["vaern"].db.dispose()


def _token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _login(client, person: str) -> None:
    client.post("/login", data={"login": person, "password": "vaern-demo", "csrf_token": _token(client, "/login")})


def _flashes(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="status">(.*?)</p>', html, re.S)]


def _rounds(vaern) -> list:
    return [c for c in vaern.cases(limit=1000) if c.kind == "annual_med"]


def test_the_button_starts_this_years_round_once(csrf_app):
    vaern = csrf_app.extensions["vaern"]
    client = csrf_app.test_client()
    _login(client, "koncern-hr")
    page = client.get("/admin/diagrams").get_data(as_text=True)
    assert "Start årets runde" in page and "Runden for 2027 starter af sig selv" in page

    response = client.post("/admin/annual-round", data={"csrf_token": _token(client, "/admin/diagrams")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/diagrams#annual-round")
    [started] = _rounds(vaern)
    assert started.unit_id == "region" and started.created_at == MOMENT and started.created_by == "koncern-hr"
    page = client.get("/admin/diagrams").get_data(as_text=True)
    assert _flashes(page) == [f"Årets MED-runde er startet som sag {started.id}: alle LMU'er har fået deres opgave."]
    assert f"Runden for 2027 er startet som sag {started.id} (Åben)." in unescape(page)
    assert [i.title for i in vaern.inbox("lmu-akut", MOMENT) if i.case_id == started.id] == [
        "Årlig drøftelse i LMU og tilbagemelding til HMU"]

    again = client.post("/admin/annual-round", data={"csrf_token": _token(client, "/admin/diagrams")},
                        follow_redirects=True)
    assert _flashes(again.get_data(as_text=True)) == [
        f"Årets MED-runde (2027) er allerede startet som sag {started.id}. Der er én runde om året."]
    assert len(_rounds(vaern)) == 1
    assert [e.details["source"] for e in vaern.events(started.id) if e.action == "annual_round_started"] == ["admin"]


def test_the_button_needs_csrf(csrf_app):
    client = csrf_app.test_client()
    _login(client, "koncern-hr")
    assert client.post("/admin/annual-round").status_code == 400
    assert _rounds(csrf_app.extensions["vaern"]) == []


def test_only_an_administrator_sees_and_presses_the_button(db_path):
    app = make_app(db_path, CLOCK=lambda: MOMENT)
    vaern = app.extensions["vaern"]
    try:
        vaern.set_password("hr-hosp", "vaern-demo", MOMENT, process_owner=True)
        client = app.test_client()
        login(client, "hr-hosp")
        assert "Start årets runde" not in client.get("/admin/diagrams").get_data(as_text=True)
        assert client.post("/admin/annual-round").status_code == 403
        login(client, "leder-akut")
        assert client.post("/admin/annual-round").status_code == 403
        assert _rounds(vaern) == []
    finally:
        vaern.db.dispose()
