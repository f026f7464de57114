"""Run every benchmark (on SQLite, and on PostgreSQL when one answers), then print the summary table.

`make bench` runs this. PostgreSQL runs use a database of their own, `vaern_bench`, created if missing.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/vaern_bench"


def postgres_url() -> str | None:
    """The benchmark database's URL, creating it when missing; None without a PostgreSQL server."""
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = 'vaern_bench'").fetchone() is None:
                connection.execute("CREATE DATABASE vaern_bench")
    except Exception as exc:  # no server here: the benchmarks run on SQLite alone
        print(f"PostgreSQL not available ({type(exc).__name__}); SQLite only")
        return None
    return BENCH_URL


def main() -> None:
    url = postgres_url()
    extra = ["--postgres", url] if url else []
    for script in ("engine.py", "breakdown.py", "timers.py", "web_load.py", "api_complete.py", "figures_page.py",
                   "directory_sync.py"):
        print(f"\n### {script}", flush=True)
        subprocess.run([sys.executable, str(BENCH / script), *extra], check=True)
    print("\n### org_scale.py", flush=True)  # page rendering, the same on either database
    subprocess.run([sys.executable, str(BENCH / "org_scale.py")], check=True)
    print("\n### privacy_pages.py", flush=True)
    subprocess.run([sys.executable, str(BENCH / "privacy_pages.py")], check=True)
    print("\n### anonymous.py", flush=True)  # the key derivation's cost, the same on either database
    subprocess.run([sys.executable, str(BENCH / "anonymous.py")], check=True)
    subprocess.run([sys.executable, str(BENCH / "report.py")], check=True)


if __name__ == "__main__":
    main()
