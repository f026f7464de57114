"""Figures for two pages the attack of issue 14 timed: "Mine anmeldelser" for a person with 1,225 reports,
and how long a wrong password takes for an account that exists and for a name that does not.

    python bench/privacy_pages.py            # SQLite, a database of its own in a temporary folder

Runs against whatever checkout is on the path, so the same script measures the code before and after.
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

from engine import Settings, open_vaern  # noqa: E402

REPORTS = 1225
WORKFLOWS = ROOT / "workflows"
DEMO_ORG = ROOT / "demo" / "organisation.yaml"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def main() -> dict:
    from web import create_app

    folder = Path(tempfile.mkdtemp(prefix="vaern-bench-"))
    url = f"sqlite:///{folder / 'vaern.sqlite3'}"
    now = datetime.now(timezone.utc)
    vaern = open_vaern(Settings(database_url=url))
    vaern.import_org(DEMO_ORG, "bench", now)
    vaern.set_password("ansat-akut", "bench-kodeord", now)
    path = WORKFLOWS / "violence.bpmn"
    vaern.deploy(path.read_bytes(), str(path), "bench", now)
    data = {"employee_id": "ansat-akut", "reporter_id": "ansat-akut", "incident_at": "2026-01-05T10:00:00+01:00",
            "location": "Stue 3", "violence_type": "physical", "injured": False, "severity": 3,
            "witnesses_present": False, "witnesses": "", "serious": False, "description": "Slag"}
    for _ in range(REPORTS):
        vaern.start_case("violence", "afd-akut", data, "ansat-akut", now)
    vaern.db.dispose()

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "VAERN_SCHEDULER": False,
                      "VAERN_SETTINGS": Settings(database_url=url), "VAERN_LOGIN_ATTEMPTS": 10**6,
                      "VAERN_LOGIN_ATTEMPTS_PER_ADDRESS": 10**6})
    client = app.test_client()
    assert client.post("/login", data={"login": "ansat-akut", "password": "bench-kodeord"}).status_code == 302
    service = app.extensions["vaern"]
    pages, rows = [], []
    for _ in range(3):
        before = len(service.access_log())
        started = time.perf_counter()
        response = client.get("/reports")
        pages.append(time.perf_counter() - started)
        assert response.status_code == 200
        rows.append(len(service.access_log()) - before)

    timings = {"known": [], "unknown": []}
    for _ in range(15):
        for kind, name in (("known", "ansat-akut"), ("unknown", "ingen-saadan-person")):
            started = time.perf_counter()
            answer = app.test_client().post("/login", data={"login": name, "password": "forkert-kode"})
            timings[kind].append(time.perf_counter() - started)
            assert answer.status_code == 401, answer.status_code
    service.db.dispose()
    figures = {"my_reports_reports": REPORTS, "my_reports_page_ms": _median_ms(pages),
               "my_reports_access_log_rows_per_view": rows[-1],
               "wrong_password_known_account_ms": _median_ms(timings["known"]),
               "wrong_password_unknown_name_ms": _median_ms(timings["unknown"])}
    for key, value in figures.items():
        print(f"{key:<40} {value}")
    return figures


if __name__ == "__main__":
    figures = main()
    try:
        from bench.results import store
    except ImportError:  # an older checkout measured for comparison has no results file to write
        sys.exit(0)
    store("privacy_pages", figures)
