"""Logging in and out, demo mode, expiring sessions, the language switch and CSRF on the log-in form."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.web.conftest import csrf_token, login, make_app
from web import _instance_secret


def test_pages_need_a_login_and_the_login_returns_to_the_page(client):
    response = client.get("/reports")
    assert response.status_code == 302 and response.location.startswith("/login?next=/reports")
    response = client.post("/login", data={"login": "ansat-akut", "password": "vaern-demo", "next": "/reports"})
    assert response.status_code == 302 and response.location == "/reports"
    assert client.get("/reports").status_code == 200


def test_a_wrong_password_is_refused_and_the_login_name_kept(client):
    response = login(client, "ansat-akut", "forkert-kode")
    html = response.get_data(as_text=True)
    assert response.status_code == 401 and "Forkert brugernavn eller adgangskode" in html and 'value="ansat-akut"' in html
    assert client.get("/").status_code == 302


def test_next_never_leads_to_another_site(client):
    response = client.post("/login", data={"login": "ansat-akut", "password": "vaern-demo",
                                           "next": "//evil.example/x"})
    assert response.location == "/"


def test_logout_ends_the_session(client):
    login(client, "ansat-akut")
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").status_code == 302


def test_demo_mode_lists_the_people_their_roles_and_the_password(db_path):
    app = make_app(db_path, VAERN_DEMO=True)
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "Lene Leder" in html and "leder-akut" in html and "vaern-demo" in html and "Leder" in html
    plain = make_app(db_path).test_client().get("/login").get_data(as_text=True)
    assert "vaern-demo" not in plain and "Lene Leder" not in plain


def test_the_session_expires(db_path):
    app = make_app(db_path, PERMANENT_SESSION_LIFETIME=timedelta(hours=8))
    client = app.test_client()
    with time_machine.travel(0, tick=True) as traveller:
        traveller.move_to("2026-11-26 08:00:00+00:00")
        login(client, "ansat-akut")
        assert client.get("/").status_code == 200
        traveller.move_to("2026-11-26 15:59:00+00:00")
        assert client.get("/").status_code == 200
        traveller.move_to("2026-11-26 16:01:00+00:00")
        assert client.get("/").status_code == 302


def test_danish_by_default_and_english_on_request(client):
    login(client, "ansat-akut")
    assert "Anmeld en hændelse" in client.get("/").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "/reports"})
    assert response.location == "/reports"
    html = client.get("/").get_data(as_text=True)
    assert "Report an incident" in html and 'lang="en"' in html
    client.post("/language", data={"lang": "xx"})
    assert "Report an incident" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "da"})
    assert "Anmeld en hændelse" in client.get("/").get_data(as_text=True)


def test_the_language_chosen_before_login_is_kept(client):
    client.post("/language", data={"lang": "en"})
    assert "Log in" in client.get("/login").get_data(as_text=True)
    login(client, "ansat-akut")
    assert "Report an incident" in client.get("/").get_data(as_text=True)


def test_login_and_logout_need_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"login": "ansat-akut", "password": "vaern-demo"})
    assert response.status_code == 400 and "Formularen er udløbet" in response.get_data(as_text=True)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"login": "ansat-akut", "password": "vaern-demo", "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302


def test_the_secret_key_is_made_once_and_kept_in_the_instance_folder(tmp_path):
    key = _instance_secret(tmp_path / "instance")
    assert len(key) == 64 and _instance_secret(tmp_path / "instance") == key
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_an_unknown_address_is_a_404_page(client):
    login(client, "ansat-akut")
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Findes ikke" in response.get_data(as_text=True)
