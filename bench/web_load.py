"""HTTP and scale benchmarks: the inbox and the task submit under load, and pages as cases grow.

Run: `.venv/bin/python bench/web_load.py [--postgres URL] [--cases 100000]` (also part of `make bench`).

1. Scale: inbox and case page time (in-process, Flask test client) at 1k, 10k and 100k cases.
2. Start-up time and memory of the web server (gunicorn, 2 workers × 4 threads) with 100k cases and
   about 1,000,000 events.
3. Load: inbox page and task submit latency with 1, 8 and 32 concurrent clients on loopback, each
   client logged in as a leader of its own; bounded in requests and in time.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import results  # noqa: E402
from bench.seed import PASSWORD, add_closed_cases, counts, open_service, set_passwords, start_open_cases  # noqa: E402

CLIENTS = (1, 8, 32)
LOAD_LEADERS = 32
OPEN_PER_LOAD_LEADER = 40
PHASE_SECONDS = 45
_TASK_LINK = re.compile(r'href="/tasks/([0-9a-f-]{36})"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVER_ENV = {"VAERN_SCHEDULER": "0", "VAERN_INSECURE_COOKIES": "1", "VAERN_SECRET_KEY": "bench-secret-key"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def ms(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values) * 1000, 2), "p99_ms": round(percentile(values, 0.99) * 1000, 2),
            "n": len(values)}


# -- scale, in process --------------------------------------------------------------------------------

def _test_client(url: str):
    os.environ.update({**SERVER_ENV, "VAERN_DATABASE_URL": url})
    from web import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "VAERN_SCHEDULER": False})
    client = app.test_client()
    response = client.post("/login", data={"login": "l0", "password": PASSWORD})
    assert response.status_code in (200, 302), response.status_code
    return app, client


def page_times(url: str, case_id: int, repeat: int = 40) -> tuple[list[float], list[float]]:
    app, client = _test_client(url)
    inbox, case_page = [], []
    for _ in range(repeat):
        began = time.perf_counter()
        assert client.get("/").status_code == 200
        inbox.append(time.perf_counter() - began)
        began = time.perf_counter()
        assert client.get(f"/cases/{case_id}").status_code == 200
        case_page.append(time.perf_counter() - began)
    app.extensions["vaern"].db.dispose()
    return inbox, case_page


# -- the server and the load generator -----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    env = {**os.environ, **SERVER_ENV, "VAERN_DATABASE_URL": url}
    began = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "web:create_app()"], env=env, cwd=results.ROOT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as response:
                if response.status == 200:
                    return server, base, time.perf_counter() - began
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the server did not start within 120 s")


def server_memory_mb(server: subprocess.Popen) -> float:
    """Resident memory of the server and its workers, in MiB."""
    pids = [server.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                            text=True).stdout.split()]
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
    return round(total / 1024, 1)


class Client:
    """One person in a browser: a cookie jar, a login, and timed requests."""

    def __init__(self, base: str, person: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = _CSRF.search(self.get("/login")).group(1)
        self.post("/login", {"csrf_token": token, "login": person, "password": PASSWORD})

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode("utf-8")

    def post(self, path: str, form: dict) -> int:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + path, data=data, timeout=60) as response:
            response.read()
            return response.status


def run_clients(count: int, work) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def one(index: int):
        mine = work(index)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PHASE_SECONDS + 120)
    return timings


def inbox_load(base: str, count: int, requests_each: int) -> list[float]:
    def work(index: int) -> list[float]:
        client = Client(base, f"l{index}")
        timings, deadline = [], time.monotonic() + PHASE_SECONDS
        for _ in range(requests_each):
            if time.monotonic() > deadline:
                break
            began = time.perf_counter()
            client.get("/")
            timings.append(time.perf_counter() - began)
        return timings
    return run_clients(count, work)


def submit_load(base: str, count: int, submits_each: int) -> list[float]:
    def work(index: int) -> list[float]:
        client = Client(base, f"l{index}")
        timings, deadline = [], time.monotonic() + PHASE_SECONDS
        for _ in range(submits_each):
            if time.monotonic() > deadline:
                break
            match = _TASK_LINK.search(client.get("/"))
            if match is None:
                break
            task_id = match.group(1)
            token = _CSRF.search(client.get(f"/tasks/{task_id}")).group(1)
            form = {"csrf_token": token, "summary": "Samtale holdt", "category": "other", "witnesses": "0"}
            began = time.perf_counter()
            client.post(f"/tasks/{task_id}", form)
            timings.append(time.perf_counter() - began)
        return timings
    return run_clients(count, work)


# -- the run -----------------------------------------------------------------------------------------

def run(label: str, url: str, total_cases: int) -> dict:
    print(f"== {label}")
    service = open_service(url)
    set_passwords(service, [f"l{i}" for i in range(LOAD_LEADERS)])
    open_ids = start_open_cases(service, {**{d: 1 for d in range(LOAD_LEADERS, 1000)},
                                          **{d: OPEN_PER_LOAD_LEADER for d in range(LOAD_LEADERS)}})
    case_for_l0 = open_ids[-OPEN_PER_LOAD_LEADER * LOAD_LEADERS]
    out: dict = {"scale": {}}
    print("scale (in process):")
    for target in (1_000, 10_000, 100_000):
        if target > total_cases:
            break
        have, _ = counts(service)
        if have < target:
            add_closed_cases(service, target - have)
        inbox, case_page = page_times(url, case_for_l0)
        out["scale"][str(target)] = {"inbox": ms(inbox), "case_page": ms(case_page)}
        print(f"  {target:>7,} cases: inbox median {statistics.median(inbox) * 1000:6.1f} ms, "
              f"case page median {statistics.median(case_page) * 1000:6.1f} ms")
    cases, events = counts(service)
    service.db.dispose()
    server, base, startup = start_server(url)
    try:
        out["server"] = {"cases": cases, "events": events, "startup_s": round(startup, 2),
                         "memory_mb_idle": server_memory_mb(server)}
        print(f"server with {cases:,} cases and {events:,} events: start-up {startup:.2f} s, "
              f"memory {out['server']['memory_mb_idle']} MiB (2 workers)")
        out["load"] = {}
        for clients in CLIENTS:
            inbox = inbox_load(base, clients, max(20, 240 // clients))
            submit = submit_load(base, clients, max(5, 60 // clients))
            out["load"][str(clients)] = {"inbox": ms(inbox), "submit": ms(submit)}
            print(f"  {clients:>2} clients: inbox median {statistics.median(inbox) * 1000:7.1f} ms p99 "
                  f"{percentile(inbox, 0.99) * 1000:7.1f} ms | submit median {statistics.median(submit) * 1000:7.1f} ms "
                  f"p99 {percentile(submit, 0.99) * 1000:7.1f} ms")
        out["server"]["memory_mb_after_load"] = server_memory_mb(server)
        print(f"memory after load: {out['server']['memory_mb_after_load']} MiB")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="also run against this (empty) PostgreSQL database URL")
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["sqlite"] = run("SQLite", f"sqlite:///{tmp}/http.sqlite3", args.cases)
    if args.postgres:
        results.reset_postgres(args.postgres)
        figures["postgresql"] = run("PostgreSQL", args.postgres, args.cases)
    results.store("http", figures)


if __name__ == "__main__":
    main()
