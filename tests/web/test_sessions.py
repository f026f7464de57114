"""Ending sessions: log-out, a new password and an administrator end every session of a person at once.

The session cookie is signed, not stored, so a copy of it stays valid until something on the server
says otherwise: the account's session generation, which each of these raises.
"""
from __future__ import annotations

from click.testing import CliRunner

from engine import DEMO_PASSWORD
from engine.cli import main as cli_module
from tests.web.conftest import login


def _copy_of_the_cookie(app, client):
    """A second browser holding the same session cookie (copied, stolen, or the same person's other device)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_copied_before_log_out_opens_nothing_after_it(app, client):
    login(client, "ansat-akut")
    copy = _copy_of_the_cookie(app, client)
    assert copy.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    response = copy.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert copy.get("/reports").status_code == 302


def test_log_out_ends_the_persons_other_sessions_too(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "ansat-akut")
    login(phone, "ansat-akut")
    assert phone.get("/").status_code == 200
    laptop.post("/logout")
    assert phone.get("/").status_code == 302
    login(phone, "ansat-akut")  # logging in again works, of course
    assert phone.get("/").status_code == 200


def test_a_new_password_ends_every_session(app, client, vaern, db_path, monkeypatch):
    login(client, "ansat-akut")
    assert client.get("/").status_code == 200
    monkeypatch.setenv("VAERN_DATABASE_URL", f"sqlite:///{db_path}")
    result = CliRunner().invoke(cli_module.cli, ["account", "set", "ansat-akut"],
                                input="nyt-kodeord-1\nnyt-kodeord-1\n")
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert login(client, "ansat-akut", DEMO_PASSWORD).status_code == 401
    assert login(client, "ansat-akut", "nyt-kodeord-1").status_code == 302


def test_an_administrator_logs_a_person_out_everywhere(app, client, vaern, db_path, monkeypatch):
    victim = app.test_client()
    login(victim, "leder-akut")
    login(client, "ansat-akut")
    assert client.get("/oversight/sessions").status_code == 403
    assert client.post("/oversight/sessions", data={"person_id": "leder-akut"}).status_code == 403
    assert victim.get("/").status_code == 200
    login(client, "koncern-hr")
    assert "Log en person ud" in client.get("/oversight/sessions").get_data(as_text=True)
    response = client.post("/oversight/sessions", data={"person_id": "Lene Leder"})
    assert response.status_code == 302
    assert "Lene Leder er logget ud alle steder." in client.get(response.location).get_data(as_text=True)
    assert victim.get("/").status_code == 302
    assert [e.details for e in vaern.events() if e.action == "sessions_ended"][-1] == {"person": "leder-akut"}
    # The same from the command line.
    login(victim, "leder-akut")
    monkeypatch.setenv("VAERN_DATABASE_URL", f"sqlite:///{db_path}")
    result = CliRunner().invoke(cli_module.cli, ["account", "logout", "leder-akut"])
    assert result.exit_code == 0, result.output
    assert victim.get("/").status_code == 302


def test_a_page_that_changes_nothing_in_the_session_writes_no_cookie(client):
    # Otherwise a response to a request under way (a person search while a form is sent, a page while logging
    # out) puts back the cookie as it was before: a lost message, or a logged-out browser holding its session.
    login(client, "ansat-akut")
    client.get("/")  # the first page puts the form token in the session: that one is a change
    for path in ("/", "/reports", "/people/search?q=anna"):
        assert "Set-Cookie" not in client.get(path).headers, path
    assert "Set-Cookie" in client.post("/logout").headers
