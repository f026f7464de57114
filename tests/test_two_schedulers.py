"""Two scheduler processes against one PostgreSQL database: every escalation happens exactly once."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import ROOT, T0, simple_xml
from tests.test_cases import PARTIES

# Two scheduler processes racing over real timers take tens of seconds (PostgreSQL most).
pytestmark = pytest.mark.slow

CASES = 1000

WORKER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from engine import Settings, open_vaern
    service = open_vaern(Settings(database_url=sys.argv[1]), migrate=False)
    sys.stdin.readline()  # both workers start firing at the same moment
    idle = total = 0
    while idle < 3:
        moved = service.fire_due_timers(datetime.now(timezone.utc), limit=50)
        total += moved
        idle = idle + 1 if moved == 0 else 0
    print("done", total)
""")


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_schedulers_fire_each_escalation_exactly_once(vaern, database_url):
    escalating = simple_xml().replace('<camunda:property name="notice" value="reminder" />',
                                      '<camunda:property name="notice" value="escalated" />')
    vaern.deploy(escalating.encode(), "simple.bpmn", "ejer", T0)
    started = datetime.now(timezone.utc) - timedelta(days=3)  # so every reminder is due by now
    case_ids = [vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", started).id for _ in range(CASES)]

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, database_url], cwd=ROOT, env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(2)]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = [worker.communicate(timeout=600) for worker in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0 and "done" in out, err[-3000:]
    moved = [int(out.split()[-1]) for out, _ in outputs]
    assert sum(moved) == CASES, moved  # each case moved on in exactly one of the two processes
    print("cases moved per scheduler:", moved)

    escalations = Counter(e.case_id for e in vaern.events(limit=100_000) if e.action == "case_escalated")
    fired = Counter(e.case_id for e in vaern.events(limit=100_000) if e.action == "timer_fired")
    assert set(escalations) == set(case_ids) and set(escalations.values()) == {1}
    assert set(fired) == set(case_ids) and set(fired.values()) == {1}
    assert vaern.next_due_time() is None
