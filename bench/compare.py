"""This checkout against an earlier revision, in one run: task completions and pages, old and new in turns.

Run: `.venv/bin/python bench/compare.py REVISION [--rounds N]`. The revision is checked out into a
temporary worktree; each round runs the same measurement in a fresh process for the old code and then
the new, on its own SQLite database with the demo organisation, so both meet the same machine at
nearly the same moment (the machine is shared: only the ratios mean much). Measured through the public
API both revisions have: a persisted task completion through the engine, and through the web the
inbox, the case page, the task page and the form's post. Prints the medians and the ratio new/old.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the tree being measured (its engine and web on sys.path first); prints one JSON line.
WORKER = textwrap.dedent('''
    import json, statistics, sys, tempfile, time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path

    from engine import Settings, open_vaern
    from web import create_app

    root = Path.cwd()
    T0 = datetime.now(timezone.utc) - timedelta(days=1)
    FORM = {"contact_initiated_by": "leader", "first_talk_date": "2026-01-06", "someone_to_talk_to": "Sin mand"}
    CASE = {"employee_id": "ansat-akut", "reporter_id": "ansat-akut", "incident_at": "2026-01-05T10:00:00+01:00",
            "location": "Stue 3", "violence_type": "physical", "injured": False, "severity": 3,
            "witnesses_present": False, "witnesses": "", "serious": False, "description": "Slag paa armen"}
    n = int(sys.argv[1])
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'vaern.sqlite3'}"
    vaern = open_vaern(Settings(database_url=url))
    vaern.import_org(root / "demo" / "organisation.yaml", "admin", T0)
    vaern.deploy((root / "workflows" / "violence.bpmn").read_bytes(), "violence.bpmn", "admin", T0)
    vaern.set_password("leder-akut", "benchmark-password", T0)

    def first_task(case_id):
        return [i for i in vaern.inbox("leder-akut", T0) if i.case_id == case_id][0].task_id

    engine_times = []
    for _ in range(n):
        case = vaern.start_case("violence", "afd-akut", CASE, "ansat-akut", T0)
        task_id = first_task(case.id)
        vaern.task_detail(task_id)  # as the web does: the page first, then the completion
        started = time.perf_counter()
        vaern.complete_task(task_id, {**FORM, "first_talk_date": "2026-01-06"}, "leder-akut", T0)
        engine_times.append((time.perf_counter() - started) * 1000)
    vaern.db.dispose()

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "VAERN_DEMO": False,
                      "VAERN_SETTINGS": Settings(database_url=url)})
    web_vaern = app.extensions["vaern"]
    client = app.test_client()
    client.post("/login", data={"login": "leder-akut", "password": "benchmark-password"})
    pages = {"inbox": [], "case page": [], "task page": [], "task submit": []}

    def timed(name, call):
        started = time.perf_counter()
        response = call()
        pages[name].append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (name, response.status_code)

    for _ in range(n):
        case = web_vaern.start_case("violence", "afd-akut", CASE, "ansat-akut", T0)
        task_id = [i for i in web_vaern.inbox("leder-akut", T0) if i.case_id == case.id][0].task_id
        timed("inbox", lambda: client.get("/"))
        timed("case page", lambda: client.get(f"/cases/{case.id}"))
        timed("task page", lambda: client.get(f"/tasks/{task_id}"))
        timed("task submit", lambda: client.post(f"/tasks/{task_id}", data=FORM))
    result = {"engine completion": statistics.median(engine_times),
              **{name: statistics.median(times) for name, times in pages.items()}}
    print(json.dumps(result))
''')


def run_worker(tree: Path, count: int) -> dict[str, float]:
    """One measurement in a fresh process on the code in `tree`."""
    script = tree / ".bench_compare_worker.py"
    script.write_text(WORKER)
    try:
        done = subprocess.run([sys.executable, str(script), str(count)], cwd=tree, capture_output=True, text=True,
                              env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "VAERN_SCHEDULER": "0"})
    finally:
        script.unlink()
    if done.returncode != 0:
        raise SystemExit(f"the measurement failed in {tree}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the earlier revision (a commit, a branch, a tag)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=30, help="completions and page views per round")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), arguments.revision], cwd=ROOT, check=True)
        try:
            measured: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
            for number in range(1, arguments.rounds + 1):
                for side, tree in (("old", old), ("new", ROOT)):
                    for name, value in run_worker(tree, arguments.cases).items():
                        measured[side].setdefault(name, []).append(value)
                print(f"round {number} of {arguments.rounds} done", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
    print(f"\n| median of {arguments.rounds} rounds × {arguments.cases} | {arguments.revision} | this checkout | new/old |")
    print("|---|---|---|---|")
    for name, values in measured["old"].items():
        before, after = statistics.median(values), statistics.median(measured["new"][name])
        print(f"| {name} | {before:.2f} ms | {after:.2f} ms | {after / before:.2f}× |")


if __name__ == "__main__":
    main()
