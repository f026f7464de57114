"""The timer scheduler inside the web process: on by default, at most one per process, stopped at exit.

With several web workers, turn it off (VAERN_SCHEDULER=0) and run `vaern scheduler` as a process of its
own; firing is safe from many processes, but one waker is enough.
"""
from __future__ import annotations

import atexit
import os
import threading

from flask import Flask

from engine import TimerScheduler

# Not a scheduler, only a note of which process already runs one: a second app built in the same
# process (a test, an import of the factory by a tool) must not start a second set of threads.
_lock = threading.Lock()
_running_pid: int | None = None


def wanted(app: Flask, given: dict) -> bool:
    """Whether this app should run the scheduler: config, else VAERN_SCHEDULER, off in tests by default."""
    if "VAERN_SCHEDULER" in given:
        return bool(given["VAERN_SCHEDULER"])
    if app.config.get("TESTING"):
        return False
    if os.environ.get("VAERN_SCHEDULER", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return True


def start(app: Flask) -> TimerScheduler | None:
    """Start the scheduler for the app's service unless this process already runs one."""
    global _running_pid
    with _lock:
        if _running_pid == os.getpid():
            return None
        _running_pid = os.getpid()
    clock = app.config.get("CLOCK")
    sweep = int(app.config.get("VAERN_SCHEDULER_SWEEP_SECONDS", 60))
    scheduler = TimerScheduler(app.extensions["vaern"], sweep_seconds=sweep, **({"clock": clock} if clock else {}))
    scheduler.start()
    app.extensions["vaern_scheduler"] = scheduler
    atexit.register(stop, app)
    return scheduler


def stop(app: Flask) -> None:
    """Stop the app's scheduler (waiting for a running sweep) and let the process start another."""
    global _running_pid
    scheduler = app.extensions.pop("vaern_scheduler", None)
    if scheduler is None:
        return
    scheduler.shutdown(wait=True)
    with _lock:
        _running_pid = None
