"""The wake-up for timers and mail. APScheduler only wakes the process; all truth is in our tables.

A date job wakes at the earliest pending timer (re-armed after every commit), and a sweep runs every
minute as a safety net and right at start, so timers that fell due while the service was down fire
at once; the sweep also starts the year's MED round once its date has come (`annual_cycle`).
APScheduler's job store stays in memory: it cannot be shared between processes, and need not be,
since `fire_due_timers` claims cases in the database.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from engine.cases.annual_cycle import start_due_round
from engine.errors import VaernError

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TimerScheduler:
    """Fires due timers, sends mail and webhooks for one service, in background threads."""

    def __init__(self, service, sweep_seconds: int = 60, clock: Callable[[], datetime] = _utc_now,
                 webhook_seconds: int = 10):
        self.service = service
        self.sweep_seconds = sweep_seconds
        self.webhook_seconds = webhook_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def start(self) -> "TimerScheduler":
        """Start the sweep (first run now) and the wake-ups; re-arm after every commit."""
        self._scheduler.add_job(self.sweep, "interval", seconds=self.sweep_seconds, id="sweep",
                                next_run_time=self.clock())
        # Webhooks go out on a job of their own: a slow receiver must not hold up timers and mail.
        self._scheduler.add_job(self.send_webhooks, "interval", seconds=self.webhook_seconds, id="webhooks")
        self.service.after_commit(self.rearm)
        self._scheduler.start()
        return self

    def shutdown(self, wait: bool = True) -> None:
        """Stop waking; a running sweep finishes first when `wait`."""
        self._scheduler.shutdown(wait=wait)

    def sweep(self) -> int:
        """Fire everything due now and send waiting mail; returns how many cases moved on."""
        with self._lock:  # the date job and the interval sweep never run the work at once in one process
            now = self.clock()
            moved = self.service.fire_due_timers(now)
            self._start_annual_round(now)
            self.service.send_mail(now)
        self.rearm()
        return moved

    def rearm(self) -> None:
        """Wake at the earliest timer still ahead (one already due waits for the sweep)."""
        if not self._scheduler.running:
            return
        now = self.clock()
        due = self.service.next_due_time(after=now)
        if due is not None:
            self._scheduler.add_job(self.sweep, "date", run_date=due + timedelta(milliseconds=5), id="wake",
                                    replace_existing=True)
        if self.service.settings.smtp_host:
            self._scheduler.add_job(self._send_mail, "date", run_date=now, id="mail", replace_existing=True)

    def _start_annual_round(self, now: datetime) -> None:
        # The year's MED round has no timer row of its own: the sweep looks for its date (annual_cycle).
        try:
            start_due_round(self.service, now)
        except VaernError as exc:  # a bad `annual_start` setting must not stop timers and mail
            log.error("the yearly MED round could not start: %s", exc)

    def send_webhooks(self) -> int:
        """Queue the events logged since the last run as webhook deliveries and send what is due."""
        now = self.clock()
        self.service.webhooks.enqueue(now)
        return self.service.webhooks.deliver(now)

    def _send_mail(self) -> None:
        self.service.send_mail(self.clock())
