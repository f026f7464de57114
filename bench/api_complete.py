"""Completing a task through the API against through the web form, with 1 and 8 concurrent clients.

Run: `.venv/bin/python bench/api_complete.py [--postgres URL]` (also part of `make bench`).

The same server for both (gunicorn, 2 workers × 4 threads, as `bench/web_load.py`), each client a leader of
their own with open cases waiting for the same first task. Timed is the one request that completes a task:
the form post (session cookie and CSRF token, as a browser sends it; its redirect not followed) or `POST /api/v1/tasks/{id}/complete`
with a bearer token and the answers as JSON. The list and task reads before it are not timed.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import results  # noqa: E402
from bench.seed import open_service, set_passwords, start_open_cases  # noqa: E402
from bench.web_load import _CSRF, _TASK_LINK, PHASE_SECONDS, Client, ms, percentile, run_clients, start_server  # noqa: E402

CLIENTS = (1, 8)
COMPLETIONS = {1: 40, 8: 12}  # per client and way in
ANSWERS = {"summary": "Samtale holdt", "category": "other", "witnesses": "0"}


class ApiClient:
    """A system calling the API with a person's token."""

    def __init__(self, base: str, token: str):
        self.base, self.headers = base, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=self.headers, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post_form(client: Client, path: str, form: dict) -> int:
    """The form post alone: its redirect to the inbox is not followed, so the inbox page is not in the time."""
    jar = next(h for h in client.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    opener = urllib.request.build_opener(jar, _NoRedirect)
    try:
        with opener.open(client.base + path, data=urllib.parse.urlencode(form).encode(), timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def web_completions(base: str, count: int, each: int) -> list[float]:
    def work(index: int) -> list[float]:
        client = Client(base, f"l{index}")
        timings, deadline = [], time.monotonic() + PHASE_SECONDS
        for _ in range(each):
            match = _TASK_LINK.search(client.get("/"))
            if match is None or time.monotonic() > deadline:
                break
            task_id = match.group(1)
            token = _CSRF.search(client.get(f"/tasks/{task_id}")).group(1)
            began = time.perf_counter()
            status = _post_form(client, f"/tasks/{task_id}", {"csrf_token": token, **ANSWERS})
            timings.append(time.perf_counter() - began)
            assert status == 302, status
        return timings
    return run_clients(count, work)


def api_completions(base: str, tokens: list[str], count: int, each: int) -> list[float]:
    def work(index: int) -> list[float]:
        client = ApiClient(base, tokens[index])
        timings, deadline = [], time.monotonic() + PHASE_SECONDS
        for _ in range(each):
            _status, page = client.call("GET", "/api/v1/tasks?limit=1")
            if not page["items"] or time.monotonic() > deadline:
                break
            task_id = page["items"][0]["task_id"]
            began = time.perf_counter()
            status, _body = client.call("POST", f"/api/v1/tasks/{task_id}/complete", {"values": ANSWERS})
            timings.append(time.perf_counter() - began)
            assert status == 200, status
        return timings
    return run_clients(count, work)


def run(label: str, url: str) -> dict:
    print(f"== {label}")
    service = open_service(url)
    leaders = [f"l{i}" for i in range(max(CLIENTS))]
    set_passwords(service, leaders)
    # Enough open cases for every completion of both ways in, for each leader.
    per = {i: 2 * max(COMPLETIONS[c] for c in CLIENTS if i < c) for i in range(max(CLIENTS))}
    start_open_cases(service, per)
    now = datetime.now(timezone.utc)
    tokens = [service.api_tokens.create_personal_token(p, "bench", ["tasks:read", "tasks:write"], 1, now).secret
              for p in leaders]
    service.db.dispose()
    server, base, _startup = start_server(url)
    out = {}
    try:
        for clients in CLIENTS:
            # No token is limited here: the benchmark measures the work, not the limit.
            web = web_completions(base, clients, COMPLETIONS[clients])
            api = api_completions(base, tokens, clients, COMPLETIONS[clients])
            out[str(clients)] = {"web_form": ms(web), "api": ms(api)}
            print(f"  {clients} clients: web form median {statistics.median(web) * 1000:6.1f} ms p99 "
                  f"{percentile(web, 0.99) * 1000:6.1f} ms | API median {statistics.median(api) * 1000:6.1f} ms "
                  f"p99 {percentile(api, 0.99) * 1000:6.1f} ms  ({len(web)} / {len(api)} completions)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="also run against this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    os.environ.setdefault("VAERN_API_RATE", "1000000")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["sqlite"] = run("SQLite", f"sqlite:///{tmp}/api.sqlite3")
    if args.postgres:
        results.reset_postgres(args.postgres)
        figures["postgresql"] = run("PostgreSQL", args.postgres)
    results.store("api_complete", figures)


if __name__ == "__main__":
    main()
