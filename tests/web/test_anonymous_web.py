"""The anonymous channel's pages: no cookie, no cache, their own CSRF check, the same answer for a wrong and a
missing code, throttling; and, served by gunicorn, no trace of the text, the code or the client's address in
the database file, its write-ahead log, the access and error logs, or the outbox."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.web.anonymous_setup import HANDLER, LEADER, SECRET_TEXT, form_token, key_code, make_app, prepare

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path):
    app = make_app(prepare(tmp_path))
    yield app
    app.extensions["vaern"].db.dispose()


def send_report(client, what: str = SECRET_TEXT) -> str:
    page = client.get("/anonym")
    response = client.post("/anonym", data={"form_token": form_token(page.text), "what": what, "act": "bullying",
                                            "where": "Akutmodtagelsen", "when": "i går", "name": ""})
    assert response.status_code == 200, response.text
    return key_code(response.text)


def test_the_login_page_leads_to_the_anonymous_form(app):
    client = app.test_client()
    login = client.get("/login")
    assert 'href="/anonym"' in login.text
    page = client.get("/anonym")
    assert page.status_code == 200 and 'name="what"' in page.text


def test_the_writers_pages_set_no_cookie_and_are_never_cached(app):
    client = app.test_client()
    code = send_report(client)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code)
    token = form_token(client.get("/anonym/henvendelse").text)
    responses = [client.get("/anonym"), client.get("/anonym/henvendelse"),
                 client.post("/anonym/henvendelse", data={"form_token": token, "code": code})]
    for response in responses:
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "csrf_token" not in response.text  # the session's token would start a session
    assert SECRET_TEXT in responses[-1].text
    assert not client.get_cookie("session")


def test_a_post_from_another_site_or_without_the_form_token_is_refused(app):
    client = app.test_client()
    token = form_token(client.get("/anonym").text)
    data = {"form_token": token, "what": SECRET_TEXT, "act": "other"}
    assert client.post("/anonym", data={**data, "form_token": ""}).status_code == 400
    assert client.post("/anonym", data={**data, "form_token": token + "x"}).status_code == 400
    assert client.post("/anonym", data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/anonym", data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/anonym", data=data, headers={"Sec-Fetch-Site": "cross-site", "Origin": "null"}).status_code == 403
    assert client.post("/anonym", data=data, headers={"Sec-Fetch-Site": "same-origin",
                                                      "Origin": "http://localhost"}).status_code == 200


def test_the_development_servers_request_log_leaves_out_the_writers_pages(app, caplog):
    import logging

    from web.request_log import SkipAnonymous

    keep = SkipAnonymous()

    def line(text: str) -> logging.LogRecord:
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s - - [x] %s", ("10.9.9.9", text), None)

    assert not keep.filter(line('"POST /anonym HTTP/1.1" 200 -'))
    assert not keep.filter(line('"\x1b[31m\x1b[1mPOST /anonym/henvendelse HTTP/1.1\x1b[0m" 404 -'))
    assert not keep.filter(line('"GET /anonym?x=1 HTTP/1.1" 200 -'))
    assert keep.filter(line('"GET /login HTTP/1.1" 200 -'))
    assert keep.filter(line('"GET /anonymous/3 HTTP/1.1" 200 -'))  # the handlers' page is logged as any other


def test_a_wrong_and_a_missing_code_get_the_same_answer(app):
    client = app.test_client()
    code = send_report(client)
    token = form_token(client.get("/anonym/henvendelse").text)
    wrong = "0000 0000 0000 0001" if code != "0000 0000 0000 0001" else "0000 0000 0000 0002"
    answers = [client.post("/anonym/henvendelse", data={"form_token": token, "code": value},
                           environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
               for i, value in enumerate((wrong, "", "12"))]
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'name="form_token" value="[^"]+"', "", a.text) for a in answers}
    assert len(bodies) == 1


def test_twenty_wrong_codes_from_one_client_are_slowed(app):
    client = app.test_client()
    code = send_report(client)
    token = form_token(client.get("/anonym/henvendelse").text)
    statuses = [client.post("/anonym/henvendelse", data={"form_token": token, "code": f"{i:016d}"},
                            environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code for i in range(20)]
    assert statuses == [404] * 10 + [429] * 10
    assert client.post("/anonym/henvendelse", data={"form_token": token, "code": code},
                       environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 429
    assert client.post("/anonym/henvendelse", data={"form_token": token, "code": code},
                       environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code == 200


def _as(client, vaern, person: str) -> None:
    with client.session_transaction() as session:
        session.update(person_id=person, since=time.time(), generation=vaern.person(person).session_generation)


def test_only_the_handler_reads_the_report_and_writes_with_the_session_token(app):
    vaern = app.extensions["vaern"]
    writer = app.test_client()
    send_report(writer)
    case_id = max(c.id for c in vaern.cases())
    leader = app.test_client()
    _as(leader, vaern, LEADER)
    assert leader.get(f"/anonymous/{case_id}").status_code == 403
    assert leader.get(f"/cases/{case_id}").status_code == 403
    handler = app.test_client()
    _as(handler, vaern, HANDLER)
    inbox = handler.get("/")
    assert "Anonym henvendelse" in inbox.text or "Anonymous report" in inbox.text
    page = handler.get(f"/anonymous/{case_id}")
    assert page.status_code == 200 and SECRET_TEXT in page.text
    assert handler.post(f"/anonymous/{case_id}/message", data={"text": "Tak"}).status_code == 400  # no CSRF token
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert handler.post(f"/anonymous/{case_id}/message", data={"text": "Tak", "csrf_token": token}).status_code == 302


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, path: str, fields: dict[str, str], source: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    body = urllib.parse.urlencode(fields)
    connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8")


def _get(port: int, path: str, source: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8")


@pytest.mark.slow
def test_no_trace_of_the_writer_in_the_database_files_the_logs_or_the_outbox(tmp_path):
    settings = prepare(tmp_path)
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    port = _free_port()
    env = {**os.environ, "VAERN_DATABASE_URL": settings.database_url, "VAERN_SCHEDULER": "0",
           "VAERN_SECRET_KEY": "test-secret", "VAERN_ANONYMOUS_KEY_FILE": str(settings.anonymous_key_file),
           "VAERN_ANONYMOUS_ARGON2_MEMORY_KIB": "8192", "VAERN_ANONYMOUS_ARGON2_TIME_COST": "2",
           "VAERN_INSECURE_COOKIES": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1", "--threads", "2",
         "-b", f"127.0.0.1:{port}", "--access-logfile", str(access_log), "--error-logfile", str(error_log),
         "--capture-output", "--log-level", "debug", "web:create_app()"], cwd=ROOT, env=env)
    writer_address = "127.0.0.23"
    try:
        for _ in range(300):
            try:
                _get(port, "/login", "127.0.0.1")
                break
            except OSError:
                time.sleep(0.1)
        status, page = _get(port, "/anonym", writer_address)
        status, sent = _post(port, "/anonym", {"form_token": form_token(page), "what": SECRET_TEXT, "act": "sexism",
                                               "where": "Akutmodtagelsen", "when": "i går", "name": ""}, writer_address)
        assert status == 200, sent
        code = key_code(sent)
        status, view = _post(port, "/anonym/henvendelse", {"form_token": form_token(page), "code": code},
                             writer_address)
        assert status == 200 and SECRET_TEXT in view
        status, _ = _post(port, "/anonym/henvendelse", {"form_token": form_token(page), "code": code,
                                                        "action": "reply", "reply": SECRET_TEXT + " igen"},
                          writer_address)
        assert status == 200
        wal = Path(str(tmp_path / "vaern.sqlite3") + "-wal")
        files = {"database": tmp_path / "vaern.sqlite3", "write-ahead log": wal}
        snapshot = {name: path.read_bytes() for name, path in files.items() if path.exists()}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert "GET /login" in access_log.read_text()  # the access log was on
    snapshot.update({name: path.read_bytes() for name, path in files.items() if path.exists()})
    snapshot.update({"access log": access_log.read_bytes(), "error log": error_log.read_bytes()})
    from engine import open_vaern

    from sqlalchemy import select

    from engine.models import OutboxMail

    vaern = open_vaern(settings)
    with vaern.uow() as uow:
        mails = [(m.recipient, m.subject, m.body) for m in uow.session.scalars(select(OutboxMail))]
    vaern.db.dispose()
    assert mails, "the handler was told of the new report by mail"
    snapshot["outbox"] = repr(mails).encode()
    assert "/anonym" not in access_log.read_text()
    digits = code.replace(" ", "")
    for name, data in snapshot.items():
        for secret in (SECRET_TEXT, "Akutmodtagelsen", digits, code, writer_address):
            assert secret.encode() not in data, (name, secret)
            assert secret.encode("utf-16-le") not in data, (name, secret)


def test_the_handlers_case_page_shows_status_and_no_text(app):
    vaern = app.extensions["vaern"]
    send_report(app.test_client())
    case_id = max(c.id for c in vaern.cases())
    handler = app.test_client()
    _as(handler, vaern, HANDLER)
    page = handler.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert SECRET_TEXT not in page.text and "Akutmodtagelsen" not in page.text
    task = [t for t in vaern.tasks_of_case(case_id) if t.state == "open"][0]
    task_page = handler.get(f"/tasks/{task.id}")
    assert task_page.status_code == 200 and f'href="/anonymous/{case_id}"' in task_page.text


def test_without_the_handlers_key_the_channel_says_it_is_closed(app):
    vaern = app.extensions["vaern"]
    send_report(app.test_client())
    case_id = max(c.id for c in vaern.cases())
    vaern.settings.anonymous_key_file.unlink()
    writer = app.test_client()
    page = writer.get("/anonym")
    response = writer.post("/anonym", data={"form_token": form_token(page.text), "what": "x", "act": "other"})
    assert response.status_code == 503 and "Set-Cookie" not in response.headers
    handler = app.test_client()
    _as(handler, vaern, HANDLER)
    assert handler.get(f"/anonymous/{case_id}").status_code == 503
