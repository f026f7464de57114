"""Two people complete the same task at the same moment: exactly one wins, nothing is lost."""
from __future__ import annotations

import threading

from engine import ConcurrentUpdate
from tests.conftest import T0
from tests.test_cases import PARTIES, TALK


def test_the_same_task_completed_from_two_connections_at_once(vaern, monkeypatch, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("people:\n - {id: leder-2, name: Lærke Leder}\nroles:\n"
                   " - {unit: afd-akut, role: leader, person: leder-akut}\n"
                   " - {unit: afd-akut, role: leader, person: leder-2}\n", encoding="utf-8")
    vaern.import_org(org, "admin", T0)
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    [item] = vaern.inbox("leder-akut", T0)

    # Both commands must have loaded the case before either saves: hold them at a barrier right after loading.
    both_loaded = threading.Barrier(2, timeout=20)
    real_load = vaern._with_workflow

    def load_then_wait(session, case):
        loaded = real_load(session, case)
        both_loaded.wait()
        return loaded

    monkeypatch.setattr(vaern, "_with_workflow", load_then_wait)
    outcomes: dict[str, object] = {}

    def complete(user: str) -> None:
        try:
            vaern.complete_task(item.task_id, {**TALK, "summary": f"af {user}"}, user, T0)
            outcomes[user] = "won"
        except Exception as exc:  # recorded and asserted on below
            outcomes[user] = exc

    threads = [threading.Thread(target=complete, args=(u,)) for u in ("leder-akut", "leder-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.setattr(vaern, "_with_workflow", real_load)

    winners = [u for u, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], ConcurrentUpdate), outcomes

    stored = vaern.case(case.id)
    assert stored.version == 2
    assert stored.data["summary"] == f"af {winners[0]}"
    completions = [e for e in vaern.events(case.id) if e.action == "task_completed"]
    assert [e.actor for e in completions] == winners
    tasks = {t.spec_id: t for t in vaern.tasks_of_case(case.id)}
    assert tasks["Task_talk"].state == "completed" and tasks["Task_talk"].completed_by == winners[0]
    assert tasks["Task_hear"].state == "open"
