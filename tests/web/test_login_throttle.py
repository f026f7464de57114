"""The log-in throttle cannot be stretched by parallel attempts or by typing the e-mail instead of the id,
and a name without an account costs the same password check as one with."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from engine.identity.throttle import LoginThrottle
from tests.conftest import DEMO_ORG, T0
from tests.web.conftest import login

ATTEMPTS = 40


def _in_parallel(count: int, work) -> list:
    ready = threading.Barrier(count, timeout=60)
    results = [None] * count

    def run(index: int) -> None:
        ready.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_forty_parallel_attempts_for_one_person_get_exactly_the_limit(empty_vaern):
    empty_vaern.import_org(DEMO_ORG, "admin", T0)
    throttle = LoginThrottle(empty_vaern, 5, 1000, timedelta(minutes=15))
    allowed = _in_parallel(ATTEMPTS, lambda i: throttle.attempt("ansat-akut", f"10.0.0.{i}", T0).allowed)
    assert sum(allowed) == 5


def test_forty_parallel_wrong_passwords_through_the_log_in_page_check_five(app):
    clients = [app.test_client() for _ in range(ATTEMPTS)]
    answers = _in_parallel(ATTEMPTS, lambda i: login(clients[i], "ansat-akut", "forkert-kode").status_code)
    assert Counter(answers) == {401: 5, 429: ATTEMPTS - 5}
    assert login(app.test_client(), "ansat-akut").status_code == 429, "even the right password waits now"


def test_the_id_and_the_e_mail_count_as_one_person(client):
    for name in ("ansat-akut", "ansat-akut@demo.invalid", "ansat-akut", "ansat-akut@demo.invalid", "ansat-akut"):
        assert login(client, name, "forkert-kode").status_code == 401
    assert login(client, "ansat-akut@demo.invalid").status_code == 429
    assert login(client, "ansat-akut").status_code == 429


def test_a_name_without_an_account_costs_the_same_password_check(client, monkeypatch):
    # A spy around the real check (it still runs): an unknown name must not answer before a hash is checked.
    import engine.identity.service
    checks = []
    real = engine.identity.service.check_password
    monkeypatch.setattr(engine.identity.service, "check_password", lambda *a: checks.append(1) or real(*a))
    for name in ("ansat-akut", "ingen-saadan-person", "nobody@demo.invalid", "direktoer"):  # direktoer: no account
        checks.clear()
        assert login(client, name, "forkert-kode").status_code == 401
        assert checks == [1], name
