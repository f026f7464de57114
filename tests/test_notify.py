"""Notifications: web notices, the outbox, and real SMTP to a local server with no case details in it."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from engine import Settings, open_vaern
from tests.conftest import DEMO_ORG, DIAGRAMS, T0
from tests.test_cases import PARTIES

SECRET_DESCRIPTION = "Kollegaen rørte ved hende på en krænkende måde i medicinrummet"


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _service(database_url, **settings):
    service = open_vaern(Settings(database_url=database_url, base_url="https://vaern.example", **settings))
    service.import_org(DEMO_ORG, "admin", T0)
    service.deploy((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", "admin", T0)
    return service


def test_assignment_and_reminder_reach_inbox_notices_and_the_outbox(vaern):
    case = vaern.start_case("simple", "afd-akut", {**PARTIES, "description": SECRET_DESCRIPTION}, "ansat-akut", T0)
    [assigned] = vaern.notices("leder-akut")
    assert (assigned.kind, assigned.case_id, assigned.title) == ("assigned", case.id, "Samtale med den berørte")
    assert vaern.unread_notice_count("leder-akut") == 1
    vaern.fire_due_timers(T0 + timedelta(days=2, seconds=1))
    assert [n.kind for n in vaern.notices("leder-akut")] == ["reminder", "assigned"]
    vaern.mark_notices_read("leder-akut", T0)
    assert vaern.unread_notice_count("leder-akut") == 0
    # Without SMTP settings the mail stays in the outbox for an administrator to read.
    assert vaern.send_mail(T0) == 0
    mails = vaern.outbox()
    assert {m.recipient for m in mails} == {"leder-akut@demo.invalid"} and all(m.sent_at is None for m in mails)


def test_real_smtp_carries_the_task_kind_and_a_link_and_nothing_else(smtp_server, database_url):
    controller, handler = smtp_server
    service = _service(database_url, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_from="vaern@region.invalid")
    try:
        case = service.start_case("simple", "afd-akut", {**PARTIES, "description": SECRET_DESCRIPTION},
                                  "ansat-akut", T0)
        [item] = service.inbox("leder-akut", T0)
        assert service.send_mail(T0) == 1
        assert service.send_mail(T0) == 0  # sent once, never twice
        [(recipients, message)] = handler.messages
        assert recipients == ["leder-akut@demo.invalid"]
        assert message["From"] == "vaern@region.invalid" and message["Subject"] == "vaern: Du har fået en opgave"
        body = message.get_content()
        assert f"https://vaern.example/tasks/{item.task_id}" in body and "Samtale med den berørte" in body
        for detail in (SECRET_DESCRIPTION, "Anna", "Ansat", "Kollega", "Akutafdelingen", "afd-akut", "ansat-akut", "kollega-akut"):
            assert detail not in body and detail not in message["Subject"]
        assert service.outbox()[0].sent_at == T0
        assert case.id
    finally:
        service.db.dispose()


def test_an_unreachable_smtp_server_keeps_the_mail_for_a_later_try(database_url):
    service = _service(database_url, smtp_host="127.0.0.1", smtp_port=_free_port())
    try:
        service.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
        assert service.send_mail(T0) == 0
        [mail] = service.outbox()
        assert mail.sent_at is None and mail.last_error.startswith("SMTP:")
    finally:
        service.db.dispose()


def test_settings_read_smtp_from_the_environment():
    settings = Settings.from_env({"VAERN_SMTP_HOST": "mail.region.invalid", "VAERN_SMTP_PORT": "587",
                                  "VAERN_SMTP_STARTTLS": "1", "VAERN_BASE_URL": "https://vaern.rm.invalid/"})
    assert (settings.base_url, settings.smtp_host, settings.smtp_port) == (
        "https://vaern.rm.invalid", "mail.region.invalid", 587)
    assert settings.smtp_starttls
