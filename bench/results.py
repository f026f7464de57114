"""Where the benchmarks keep their figures: one JSON file, a section per benchmark, with the machine."""
from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


def machine() -> dict:
    """What the figures were measured on."""
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "system": platform.platform()}


def store(section: str, figures: dict) -> None:
    """Write one benchmark's figures into bench/results.json, keeping the other sections."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[section] = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **figures}
    data["machine"] = machine()
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL database used for benchmarks (drop and recreate its public schema)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
