"""Webhook subscriptions and their deliveries.

The event log is the outbox: `enqueue` reads the events past a cursor and writes one delivery row per
matching subscription, in one transaction with the cursor's move (compare-and-set, so two processes
never enqueue an event twice). `deliver` sends what is due, records each attempt, and retries a failure
with a doubling backoff until the last attempt marks it failed. A delivery carries ids and kinds only,
never anything a case holds.
"""
from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

from sqlalchemy import insert, select, update

from engine.clock import as_utc
from engine.errors import InvalidInput, NotFound
from engine.models import Case, Event, WebhookCursor, WebhookDelivery, WebhookSubscription
from engine.unit_of_work import UnitsOfWork
from engine.webhooks.signing import sign

# Event log action -> the event name a subscriber sees.
EVENTS = {"task_created": "task.created", "task_completed": "task.completed",
          "case_escalated": "case.escalated", "case_closed": "case.closed"}
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
# A claimed delivery is not sent by another process for this long (the request's own timeout is shorter).
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10
BATCH = 500


@dataclass(frozen=True)
class SubscriptionInfo:
    """A subscription as its client sees it (the secret only when it was just made)."""

    id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime
    active: bool
    secret: str | None = None


@dataclass(frozen=True)
class DeliveryInfo:
    """One delivery: which event, how far it got."""

    id: int
    subscription_id: int
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min … at most an hour."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), MAX_RETRY)


def _sub(row: WebhookSubscription, secret: str | None = None) -> SubscriptionInfo:
    return SubscriptionInfo(row.id, row.url, tuple(row.events or ()), row.created_at, row.active, secret)


def _delivery(row: WebhookDelivery) -> DeliveryInfo:
    return DeliveryInfo(row.id, row.subscription_id, row.event, row.status, row.attempts, row.next_attempt_at,
                        row.last_status, row.last_error, row.created_at, row.delivered_at, dict(row.payload))


class WebhookService:
    """Clients' subscriptions, and moving events from the log to their URLs."""

    def __init__(self, units: UnitsOfWork):
        self._units = units

    def subscribe(self, client_id: str, url: str, events, now: datetime) -> SubscriptionInfo:
        """A new subscription of the client's; its signing secret is returned this once."""
        errors = {}
        parsed = urlparse(url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
            errors["url"] = "skal være en http- eller https-adresse (must be an http or https URL)"
        events = tuple(dict.fromkeys(events or ()))
        if not events or any(e not in EVENTS.values() for e in events):
            errors["events"] = f"vælg blandt {', '.join(EVENTS.values())} (choose among the event names)"
        if errors:
            raise InvalidInput(errors)
        secret = secrets.token_urlsafe(32)
        with self._units() as uow:
            row = WebhookSubscription(client_id=client_id, url=url, secret=secret, events=list(events),
                                      created_at=as_utc(now), active=True)
            uow.session.add(row)
            uow.session.flush()
            info = _sub(row, secret)
            uow.commit()
        return info

    def subscriptions(self, client_id: str) -> list[SubscriptionInfo]:
        """The client's subscriptions, oldest first."""
        with self._units() as uow:
            return [_sub(r) for r in uow.session.scalars(
                select(WebhookSubscription).where(WebhookSubscription.client_id == client_id)
                .order_by(WebhookSubscription.id))]

    def unsubscribe(self, subscription_id: int, client_id: str) -> None:
        """End one of the client's subscriptions (its deliveries stay recorded); NotFound for another's."""
        with self._units() as uow:
            row = uow.session.get(WebhookSubscription, subscription_id)
            if row is None or row.client_id != client_id:
                raise NotFound("no such subscription")
            row.active = False
            uow.session.execute(update(WebhookDelivery).where(
                WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "pending")
                .values(status="cancelled", next_attempt_at=None))
            uow.commit()

    def deliveries(self, subscription_id: int, client_id: str, limit: int = 100) -> list[DeliveryInfo]:
        """A subscription's deliveries, newest first; NotFound for another client's."""
        with self._units() as uow:
            row = uow.session.get(WebhookSubscription, subscription_id)
            if row is None or row.client_id != client_id:
                raise NotFound("no such subscription")
            return [_delivery(d) for d in uow.session.scalars(
                select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                .order_by(WebhookDelivery.id.desc()).limit(limit))]

    def enqueue(self, now: datetime) -> int:
        """Turn the events logged since the last call into deliveries; returns how many were queued."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            cursor = s.get(WebhookCursor, 1)
            if cursor is None:
                s.add(WebhookCursor(id=1, last_event_id=0))
                s.flush()
                cursor_at = 0
            else:
                cursor_at = cursor.last_event_id
            rows = s.execute(select(Event.id, Event.at, Event.action, Event.case_id, Event.task_id, Case.kind)
                             .join(Case, Case.id == Event.case_id, isouter=True)
                             .where(Event.id > cursor_at).order_by(Event.id).limit(BATCH)).all()
            if not rows:
                return 0
            subs = list(s.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))))
            queued = []
            for event_id, at, action, case_id, task_id, kind in rows:
                name = EVENTS.get(action)
                if name is None:
                    continue
                for sub in subs:
                    if name in (sub.events or ()) and as_utc(at) >= sub.created_at:
                        payload = {"event": name, "event_id": event_id, "occurred_at": _iso(at),
                                   "case_id": case_id, "case_kind": kind, "task_id": task_id}
                        queued.append({"subscription_id": sub.id, "event_id": event_id, "event": name,
                                       "payload": payload, "status": "pending", "attempts": 0,
                                       "next_attempt_at": now, "created_at": now})
            moved = s.execute(update(WebhookCursor).where(WebhookCursor.id == 1,
                                                          WebhookCursor.last_event_id == cursor_at)
                              .values(last_event_id=rows[-1][0]))
            if moved.rowcount != 1:
                return 0  # another process moved the cursor first and queued these events
            if queued:
                s.execute(insert(WebhookDelivery), queued)
            uow.commit()
        return len(queued)

    def deliver(self, now: datetime) -> int:
        """Send the deliveries that are due; returns how many succeeded. Each attempt is recorded."""
        now = as_utc(now)
        claimed = self._claim(now)
        sent = 0
        for delivery_id, url, secret, payload in claimed:
            body = json.dumps({"id": delivery_id, **payload}, separators=(",", ":"), sort_keys=True).encode()
            timestamp = int(now.timestamp())
            headers = {"Content-Type": "application/json", "User-Agent": "vaern-webhooks",
                       "X-Vaern-Event": payload["event"], "X-Vaern-Delivery": str(delivery_id),
                       "X-Vaern-Timestamp": str(timestamp), "X-Vaern-Signature": sign(secret, timestamp, body)}
            status, error = _post(url, body, headers)
            ok = status is not None and 200 <= status < 300
            sent += ok
            self._record(delivery_id, now, ok, status, error)
        return sent

    def _claim(self, now: datetime) -> list[tuple[int, str, str, dict]]:
        with self._units() as uow:
            s = uow.session
            rows = s.execute(select(WebhookDelivery.id, WebhookDelivery.next_attempt_at, WebhookSubscription.url,
                                    WebhookSubscription.secret, WebhookDelivery.payload)
                             .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                             .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                             .order_by(WebhookDelivery.id).limit(100)).all()
            claimed = []
            for delivery_id, due, url, secret, payload in rows:
                # Compare-and-set on the due time: a delivery another process claimed is left to it.
                result = s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                                 WebhookDelivery.next_attempt_at == due)
                                   .values(next_attempt_at=now + LEASE))
                if result.rowcount == 1:
                    claimed.append((delivery_id, url, secret, dict(payload)))
            uow.commit()
        return claimed

    def _record(self, delivery_id: int, now: datetime, ok: bool, status: int | None, error: str | None) -> None:
        with self._units() as uow:
            row = uow.session.get(WebhookDelivery, delivery_id)
            row.attempts += 1
            row.last_status, row.last_error = status, (error or None) and error[:500]
            if ok:
                row.status, row.delivered_at, row.next_attempt_at = "delivered", now, None
            elif row.attempts >= MAX_ATTEMPTS:
                row.status, row.next_attempt_at = "failed", None
            else:
                row.next_attempt_at = now + backoff(row.attempts)
            uow.commit()


def _iso(at: datetime) -> str:
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%SZ")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A subscriber's URL is where the event goes: a redirect elsewhere is a failed delivery, not followed.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """POST the body; (HTTP status, None) on an answer, (status or None, why) when it failed."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))
