"""Webhooks: events from the log delivered signed to a loopback receiver, retried with backoff, each recorded."""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine import InvalidInput, NotFound, sign_webhook, verify_webhook
from engine.webhooks.service import MAX_ATTEMPTS, backoff
from tests.conftest import T0

PARTIES = {"employee_id": "ansat-akut", "accused_id": "kollega-akut"}
TALK = {"summary": "Talt med Anna", "serious": "on", "category": "bullying", "meeting_date": "2026-11-27",
        "witnesses": "2"}


class Receiver:
    """An HTTP server on loopback that records what it is sent and answers with the statuses it is told."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def test_events_go_out_signed_with_ids_and_kinds_only(vaern, receiver):
    sub = vaern.webhooks.subscribe("hr", receiver.url, ["task.created", "task.completed", "case.closed"], T0)
    assert sub.secret and len(sub.secret) > 30
    case = vaern.start_case("simple", "afd-akut", {**PARTIES, "description": "Slag på armen"}, "ansat-akut", T0)
    [item] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0 + timedelta(hours=1))
    assert vaern.webhooks.enqueue(T0 + timedelta(hours=1)) == 3  # two tasks created, one completed
    assert vaern.webhooks.enqueue(T0 + timedelta(hours=1)) == 0  # nothing twice
    assert vaern.webhooks.deliver(T0 + timedelta(hours=1)) == 3
    events = []
    for headers, body in receiver.received:
        timestamp = int(headers["x-vaern-timestamp"])
        assert timestamp == int((T0 + timedelta(hours=1)).timestamp())
        assert headers["x-vaern-signature"] == sign_webhook(sub.secret, timestamp, body)
        assert verify_webhook(sub.secret, timestamp, body, headers["x-vaern-signature"], timestamp + 10)
        assert not verify_webhook("another secret", timestamp, body, headers["x-vaern-signature"], timestamp)
        assert not verify_webhook(sub.secret, timestamp, body + b" ", headers["x-vaern-signature"], timestamp)
        assert not verify_webhook(sub.secret, timestamp, body, headers["x-vaern-signature"], timestamp + 3600)
        payload = json.loads(body)
        assert set(payload) == {"id", "event", "event_id", "occurred_at", "case_id", "case_kind", "task_id"}
        assert payload["case_id"] == case.id and payload["case_kind"] == "simple"
        assert headers["x-vaern-event"] == payload["event"]
        events.append(payload["event"])
        # Never what the case holds: not the description, not the answers, not who is party to it.
        for secret_text in ("Slag", "Talt med Anna", "kollega-akut", "ansat-akut"):
            assert secret_text.encode() not in body
    assert sorted(events) == ["task.completed", "task.created", "task.created"]
    deliveries = vaern.webhooks.deliveries(sub.id, "hr")
    assert {d.status for d in deliveries} == {"delivered"} and {d.attempts for d in deliveries} == {1}
    assert {d.last_status for d in deliveries} == {204}


def test_a_failed_delivery_is_retried_with_backoff_until_it_is_given_up(vaern, receiver):
    sub = vaern.webhooks.subscribe("hr", receiver.url, ["task.created"], T0)
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    vaern.webhooks.enqueue(T0)
    receiver.statuses = [500, 503]
    moment = T0
    assert vaern.webhooks.deliver(moment) == 0
    [delivery] = vaern.webhooks.deliveries(sub.id, "hr")
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at == moment + backoff(1) == moment + timedelta(seconds=30)
    assert vaern.webhooks.deliver(moment + timedelta(seconds=29)) == 0 and len(receiver.received) == 1  # not yet
    moment += timedelta(seconds=30)
    assert vaern.webhooks.deliver(moment) == 0
    [delivery] = vaern.webhooks.deliveries(sub.id, "hr")
    assert (delivery.attempts, delivery.last_status) == (2, 503)
    assert delivery.next_attempt_at == moment + timedelta(minutes=1)
    moment += timedelta(minutes=1)
    assert vaern.webhooks.deliver(moment) == 1
    [delivery] = vaern.webhooks.deliveries(sub.id, "hr")
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 3, moment)
    # The same delivery each time: one id, three attempts at the receiver.
    assert len({h["x-vaern-delivery"] for h, _b in receiver.received}) == 1 and len(receiver.received) == 3


def test_an_unreachable_receiver_is_given_up_after_the_last_attempt(vaern, receiver):
    url = receiver.url
    receiver.server.shutdown()
    receiver.server.server_close()  # nothing listens there any more
    sub = vaern.webhooks.subscribe("hr", url, ["task.created"], T0)
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    vaern.webhooks.enqueue(T0)
    moment = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert vaern.webhooks.deliver(moment) == 0
        [delivery] = vaern.webhooks.deliveries(sub.id, "hr")
        assert delivery.attempts == attempt and delivery.last_error
        moment += backoff(attempt)
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert vaern.webhooks.deliver(moment + timedelta(days=1)) == 0


def test_subscriptions_belong_to_their_client_and_start_from_their_creation(vaern, receiver):
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    sub = vaern.webhooks.subscribe("hr", receiver.url, ["task.created"], T0 + timedelta(minutes=1))
    assert vaern.webhooks.enqueue(T0 + timedelta(minutes=1)) == 0  # the event before the subscription is not sent
    with pytest.raises(NotFound):
        vaern.webhooks.deliveries(sub.id, "vtc")
    with pytest.raises(NotFound):
        vaern.webhooks.unsubscribe(sub.id, "vtc")
    assert [s.id for s in vaern.webhooks.subscriptions("hr")] == [sub.id] and vaern.webhooks.subscriptions("vtc") == []
    vaern.webhooks.unsubscribe(sub.id, "hr")
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0 + timedelta(minutes=2))
    assert vaern.webhooks.enqueue(T0 + timedelta(minutes=2)) == 0
    with pytest.raises(InvalidInput) as refused:
        vaern.webhooks.subscribe("hr", "file:///etc/passwd", ["case.deleted"], T0)
    assert set(refused.value.errors) == {"url", "events"}


def test_the_scheduler_and_the_command_line_send_webhooks(vaern, receiver):
    from click.testing import CliRunner

    from engine import TimerScheduler
    from engine.cli.main import CliContext, cli

    vaern.webhooks.subscribe("hr", receiver.url, ["task.created", "task.completed"], T0)
    vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    assert TimerScheduler(vaern, clock=lambda: T0).send_webhooks() == 1
    [item] = vaern.inbox("leder-akut", T0)
    vaern.complete_task(item.task_id, TALK, "leder-akut", T0 + timedelta(minutes=5))
    context = CliContext(service=lambda: vaern, now=lambda: T0 + timedelta(minutes=5))
    result = CliRunner().invoke(cli, ["webhooks"], obj=context)
    assert result.exit_code == 0 and "2 queued, 2 delivered" in result.output  # completed, and the hearing created
    assert len(receiver.received) == 3
