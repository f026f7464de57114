"""Pages as the organisation grows: the same pages with about 3,000 and 30,000 people.

Run: `.venv/bin/python bench/org_scale.py` (also part of `make bench`). A region has tens of thousands
of employees; no page may grow with them. Measured in process (Flask test client) on SQLite, since what
grows is what a page renders, not what the database does: the inbox, a case page with its "give access"
form, the report form for a witness (who names the person it happened to), and the search behind
person fields.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import results  # noqa: E402
from bench.seed import PASSWORD, add_closed_cases, open_service, set_passwords, start_open_cases  # noqa: E402
from bench.web_load import SERVER_ENV, ms  # noqa: E402

STAFF = {"3k": 2, "30k": 29}  # employees per department besides its leader; 1,000 departments
REPEAT = 40


def pages(url: str, case_id: int) -> dict[str, list[float]]:
    """Seconds per request for each page, logged in as the leader of the department with the case."""
    os.environ.update({**SERVER_ENV, "VAERN_DATABASE_URL": url})
    from web import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "VAERN_SCHEDULER": False})
    client = app.test_client()
    assert client.post("/login", data={"login": "l0", "password": PASSWORD}).status_code in (200, 302)
    paths = {"inbox": "/", "case_page": f"/cases/{case_id}",
             "report_form": "/report/details?actor=colleague&reporting_as=witness",
             "person_search": "/people/search?q=kollega%2012"}
    timings: dict[str, list[float]] = {name: [] for name in paths}
    sizes = {}
    for _ in range(REPEAT):
        for name, path in paths.items():
            began = time.perf_counter()
            response = client.get(path)
            timings[name].append(time.perf_counter() - began)
            assert response.status_code == 200, (path, response.status_code)
            sizes[name] = len(response.get_data())
    app.extensions["vaern"].db.dispose()
    return {name: {**ms(values), "bytes": sizes[name]} for name, values in timings.items()}


def main() -> None:
    figures = {}
    for label, staff in STAFF.items():
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/org.sqlite3"
            service = open_service(url, staff=staff)
            people = len(service.people())
            set_passwords(service, ["l0"])
            [case_id] = start_open_cases(service, {0: 1})
            add_closed_cases(service, 1000)
            service.db.dispose()
            figures[label] = {"people": people, **pages(url, case_id)}
        row = figures[label]
        print(f"{people:>6,} people: " + ", ".join(
            f"{name.replace('_', ' ')} {row[name]['median_ms']:.1f} ms ({row[name]['bytes'] // 1024} KiB)"
            for name in ("inbox", "case_page", "report_form", "person_search")))
    results.store("organisation", figures)


if __name__ == "__main__":
    main()
