"""Figures for the anonymous channel at the installation's default Argon2id cost (64 MiB, 3 passes): the key
derivation alone, sending a report, and opening one with a right, a wrong and a missing code.

    python bench/anonymous.py            # SQLite, a database and a key of their own in a temporary folder

A wrong and a missing code should cost what a right one does, less the reading of the report: the derivation
is the cost, so guessing codes costs an attacker as much as a writer's one look.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import CodeNotRecognised, Settings, WrittenReport, open_vaern  # noqa: E402
from engine.anonymous import codes, sealing  # noqa: E402

ROUNDS = 15
DEMO_ORG = ROOT / "demo" / "organisation.yaml"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def main() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="vaern-bench-"))
    key_file = folder / "handlers.key"
    sealing.write_key_file(key_file, sealing.generate())
    settings = Settings(database_url=f"sqlite:///{folder / 'vaern.sqlite3'}", anonymous_key_file=key_file)
    vaern = open_vaern(settings)
    now = datetime.now(timezone.utc)
    vaern.import_org(DEMO_ORG, "bench", now)
    path = ROOT / "workflows" / "anonymous.bpmn"
    vaern.deploy(path.read_bytes(), str(path), "bench", now)
    cost = codes.KdfParameters(settings.anonymous_argon2_memory_kib, settings.anonymous_argon2_time_cost,
                               settings.anonymous_argon2_parallelism)
    times: dict[str, list[float]] = {"derive": [], "submit": [], "right": [], "wrong": [], "missing": []}
    sent = None
    for i in range(ROUNDS):
        started = time.perf_counter()
        codes.derive(codes.new_code(), b"0123456789abcdef", cost)
        times["derive"].append(time.perf_counter() - started)
        started = time.perf_counter()
        sent = vaern.anonymous.submit(WrittenReport(what=f"Benchmark {i}", act="other"), now)
        times["submit"].append(time.perf_counter() - started)
        # In turns, so that a busy moment of the shared machine falls on all three alike.
        for kind, code in (("right", sent.code), ("wrong", "1" * 16), ("missing", "")):
            started = time.perf_counter()
            try:
                vaern.anonymous.writer_view(code, f"bench-{kind}-{i}", now)
            except CodeNotRecognised:
                pass
            times[kind].append(time.perf_counter() - started)
    vaern.db.dispose()
    figures = {kind: _median_ms(samples) for kind, samples in times.items()}
    print(f"Argon2id ({settings.anonymous_argon2_memory_kib} KiB, {settings.anonymous_argon2_time_cost} passes), "
          f"median of {ROUNDS}:")
    print(f"  key derivation alone          {figures['derive']:8.1f} ms")
    print(f"  send a report                 {figures['submit']:8.1f} ms")
    print(f"  open: right / wrong / missing {figures['right']:.1f} / {figures['wrong']:.1f} / "
          f"{figures['missing']:.1f} ms")
    return figures


if __name__ == "__main__":
    main()
