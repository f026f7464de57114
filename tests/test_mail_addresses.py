"""One bad e-mail address stops nobody's mail: the import refuses it, and a mail that fails alone is recorded
and retried while the others are sent."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from engine import OrganisationError, Settings, open_vaern
from tests.conftest import DEMO_ORG, DIAGRAMS, ROOT, T0
from tests.test_cases import PARTIES
from tests.test_notify import smtp_server  # noqa: F401  (the fixture: a real SMTP server on loopback)

BAD_ADDRESSES = ["leder@demo.invalid\r\nBcc: alle@demo.invalid", "to adresser@demo.invalid", "ingen-snabel-a",
                 "leder@demo.invalid\n", "Lene <leder@demo.invalid>", "a@b@demo.invalid"]


def _vaern_cli(*args, url: str):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "VAERN_DATABASE_URL": url})


def _org_file(tmp_path, address: str):
    quoted = address.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    org = tmp_path / "org.yaml"
    org.write_text(f'units:\n - {{id: afd, name: Afdeling}}\npeople:\n - {{id: ok, name: Ok, email: ok@demo.invalid}}\n'
                   f' - {{id: leder, name: Lene, unit: afd, email: "{quoted}"}}\n', encoding="utf-8")
    return org


def test_vaern_org_import_refuses_an_address_with_a_line_break_and_imports_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'vaern.sqlite3'}"
    result = _vaern_cli("org", "import", str(_org_file(tmp_path, BAD_ADDRESSES[0])), url=url)
    assert result.returncode == 1
    assert "the person 'leder' has the e-mail address" in result.stderr and "plain e-mail address" in result.stderr
    assert "Traceback" not in result.stderr
    service = open_vaern(Settings(database_url=url))
    try:
        assert service.people() == [], "all or nothing"
    finally:
        service.db.dispose()


@pytest.mark.parametrize("address", BAD_ADDRESSES[1:])
def test_every_kind_of_unusable_address_is_refused(empty_vaern, tmp_path, address):
    with pytest.raises(OrganisationError) as refused:
        empty_vaern.import_org(_org_file(tmp_path, address), "admin", T0)
    assert [p for p in refused.value.problems if "'leder' has the e-mail address" in p]
    assert empty_vaern.people() == []


def test_a_mail_that_cannot_be_sent_is_recorded_and_the_others_still_go(smtp_server, tmp_path):  # noqa: F811
    controller, handler = smtp_server
    path = tmp_path / "vaern.sqlite3"
    url = f"sqlite:///{path}"
    service = open_vaern(Settings(database_url=url, smtp_host="127.0.0.1", smtp_port=controller.port))
    try:
        service.import_org(DEMO_ORG, "admin", T0)
        service.deploy((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", "admin", T0)
        # An address from before addresses were checked, as the raw database file holds it.
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE person SET email = ? WHERE id = 'leder-akut'", (BAD_ADDRESSES[0],))
            raw.execute("UPDATE org_revision SET revision = 'changed-by-hand'")
        service.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)   # mail to the bad address first
        service.start_case("simple", "afd-psyk", PARTIES, "ansat-akut", T0)   # then to leder-psyk
        assert service.send_mail(T0) == 1
        assert [rcpt for rcpt, _ in handler.messages] == [["leder-psyk@demo.invalid"]]
        bad = next(m for m in service.outbox() if m.person_id == "leder-akut")
        assert bad.sent_at is None and bad.attempts == 1 and "cannot be written" in bad.last_error
        # Every sweep tries it again, a bounded number of times, and never holds the others back.
        service.start_case("simple", "afd-psyk", PARTIES, "ansat-akut", T0)
        for _ in range(6):
            service.send_mail(T0)
        assert len(handler.messages) == 2
        bad = next(m for m in service.outbox() if m.person_id == "leder-akut")
        assert bad.sent_at is None and bad.attempts == 5
    finally:
        service.db.dispose()
