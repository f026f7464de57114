"""Web hardening: headers, cookies, log-in throttling, size and type limits, escaping, and no stack traces."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.bpmn.forms import MAX_TEXT_LENGTH
from tests.web.conftest import login, make_app, start_violence, task_of
from web.helpers import MAX_TEXT_LENGTH as WEB_MAX_TEXT_LENGTH

SCRIPT = "<script>alert(1)</script>"
FIRST_TALK = {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06", "someone_to_talk_to": "Sin mand"}
HARASSMENT = {"actor": "colleague", "reporting_as": "self", "unit_id": "afd-akut", "kind": "bullying",
              "accused_id": "kollega-akut"}


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/login"), client.get("/"), client.get("/static/style.css"),
                     client.get("/vendor/bpmn-js/assets/bpmn-js.css")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_session_cookie_is_secure_httponly_and_samesite_unless_told_otherwise(db_path, monkeypatch):
    monkeypatch.delenv("VAERN_INSECURE_COOKIES", raising=False)
    production = make_app(db_path, TESTING=False)
    assert production.config["SESSION_COOKIE_SECURE"] is True and production.debug is False
    cookie = login(production.test_client(), "ansat-akut").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    monkeypatch.setenv("VAERN_INSECURE_COOKIES", "1")
    assert make_app(db_path, TESTING=False).config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.delenv("VAERN_INSECURE_COOKIES")
    assert make_app(db_path, TESTING=False, VAERN_DEMO=True).config["SESSION_COOKIE_SECURE"] is False
    for app in (production,):
        app.extensions["vaern"].db.dispose()


def test_five_failed_log_ins_for_a_name_stop_further_tries_for_15_minutes(client):
    for _ in range(5):
        assert login(client, "ansat-akut", "forkert-kode").status_code == 401
    response = login(client, "ansat-akut")  # even the right password waits now
    assert response.status_code == 429 and "For mange mislykkede forsøg" in response.get_data(as_text=True)
    assert login(client, "leder-akut").status_code == 302, "another name from the same address still logs in"


def test_many_failed_log_ins_from_one_address_are_stopped(db_path):
    app = make_app(db_path, VAERN_LOGIN_ATTEMPTS_PER_ADDRESS=3)
    client = app.test_client()
    for name in ("a", "b", "c"):
        assert login(client, name, "forkert-kode").status_code == 401
    assert login(client, "ansat-akut").status_code == 429
    app.extensions["vaern"].db.dispose()


def test_the_throttle_forgets_after_the_window(vaern):
    from engine.identity.throttle import LoginThrottle

    t0 = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    throttle = LoginThrottle(vaern, 2, 10, timedelta(minutes=15))
    assert throttle.attempt("x", "1.2.3.4", t0).allowed
    assert throttle.attempt("X", "1.2.3.4", t0 + timedelta(minutes=1)).allowed
    assert not throttle.attempt("x", "5.6.7.8", t0 + timedelta(minutes=2)).allowed, "names count whatever their case"
    assert throttle.attempt("x", "5.6.7.8", t0 + timedelta(minutes=15, seconds=1)).allowed
    first = throttle.attempt("ansat-akut", "1.2.3.4", t0)
    throttle.attempt("ansat-akut", "1.2.3.4", t0)
    throttle.succeeded(first)
    assert throttle.attempt("ansat-akut", "5.6.7.8", t0 + timedelta(minutes=2)).allowed, "the right password clears the person"


def test_every_web_process_counts_the_same_failed_log_ins(db_path):
    # Two apps on one database stand for two gunicorn workers: the attempts add up across them.
    first, second = make_app(db_path), make_app(db_path)
    clients = [first.test_client(), second.test_client()]
    for attempt in range(5):
        assert login(clients[attempt % 2], "ansat-akut", "forkert-kode").status_code == 401
    for client in clients:
        assert login(client, "ansat-akut").status_code == 429
    for app in (first, second):
        app.extensions["vaern"].db.dispose()


def test_an_error_is_a_danish_page_without_a_stack_trace(db_path):
    app = make_app(db_path, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    client = app.test_client()
    login(client, "ansat-akut")
    response = client.get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Noget gik galt" in html
    assert "Traceback" not in html and "secret internals" not in html and "RuntimeError" not in html
    app.extensions["vaern"].db.dispose()


def test_what_people_type_is_shown_escaped(client, vaern):
    login(client, "ansat-akut")
    response = client.post("/report/details", data={**HARASSMENT, "description": SCRIPT})
    assert response.status_code == 302
    [case] = vaern.reported_by("ansat-akut")
    talk = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    # A form that fails shows the typed text back: escaped.
    bad = client.post(f"/tasks/{talk.task_id}", data={"conversation_date": "x", "experience": SCRIPT})
    assert bad.status_code == 400
    assert SCRIPT not in bad.get_data(as_text=True) and "&lt;script&gt;alert(1)&lt;/script&gt;" in bad.get_data(as_text=True)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_long_text_field_is_escaped_on_the_case_page(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.post(f"/tasks/{item.task_id}", data={**FIRST_TALK, "employee_reactions": SCRIPT})
    assert response.status_code == 302
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_too_long_values_get_a_message_per_field_and_a_megabyte_is_refused(client, vaern):
    assert WEB_MAX_TEXT_LENGTH == MAX_TEXT_LENGTH
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.post(f"/tasks/{item.task_id}", data={**FIRST_TALK, "someone_to_talk_to": "x" * (MAX_TEXT_LENGTH + 1)})
    assert response.status_code == 400
    assert 'id="someone_to_talk_to-error">højst 20000 tegn' in response.get_data(as_text=True)
    huge = client.post(f"/tasks/{item.task_id}", data={**FIRST_TALK, "someone_to_talk_to": "x" * 1_000_000})
    assert huge.status_code == 413 and "Der blev sendt for meget" in huge.get_data(as_text=True)
    login(client, "ansat-akut")
    report = client.post("/report/details", data={**HARASSMENT, "description": "x" * (MAX_TEXT_LENGTH + 1)})
    assert report.status_code == 400 and "Højst 20000 tegn." in report.get_data(as_text=True).replace("20.000", "20000")
    assert client.post("/report/details", data={**HARASSMENT, "description": "x" * 1_000_000}).status_code == 413
    assert vaern.task(item.task_id).state == "open" and [c.kind for c in vaern.reported_by("ansat-akut")] == ["violence"]


def test_wrong_types_are_refused_field_by_field(client, vaern):
    case = start_violence(vaern)
    item = task_of(vaern, "leder-akut", case.id)
    login(client, "leder-akut")
    response = client.post(f"/tasks/{item.task_id}", data={
        **FIRST_TALK, "contact_initiated_by": "the-moon", "first_talk_date": "2026-13-45", "defusing_started": "kanske"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="contact_initiated_by-error">skal være en af' in html
    assert 'id="first_talk_date-error">skal være en dato' in html
    assert 'id="defusing_started-error">skal være ja eller nej' in html
    assert vaern.task(item.task_id).state == "open"
