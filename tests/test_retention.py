"""Retention (LAW-8): closed cases past the period lose their personal data; counts remain."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import NotAllowed
from tests.conftest import T0
from tests.test_cases import PARTIES, TALK


def _closed_case(vaern, when):
    case = vaern.start_case("simple", "afd-akut", {**PARTIES, "description": "følsomt"}, "ansat-akut", when)
    [item] = [i for i in vaern.inbox("leder-akut", when) if i.case_id == case.id]
    vaern.complete_task(item.task_id, {**TALK, "serious": False}, "leder-akut", when)
    vaern.view_case(case.id, "leder-akut", when)
    return case.id


def test_a_dry_run_shows_what_would_go_and_changes_nothing(vaern):
    old = _closed_case(vaern, T0 - timedelta(days=400))
    _closed_case(vaern, T0 - timedelta(days=10))
    report = vaern.purge_closed_cases(T0, older_than=timedelta(days=365), dry_run=True)
    assert report.dry_run and report.case_ids == (old,)
    assert vaern.case(old).data["description"] == "følsomt"


def test_a_purge_removes_personal_data_and_keeps_anonymised_counts(vaern):
    old = _closed_case(vaern, T0 - timedelta(days=400))
    recent = _closed_case(vaern, T0 - timedelta(days=10))
    still_open = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0 - timedelta(days=800)).id
    before = vaern.case_statistics()
    vaern.my_reports("ansat-akut", T0)  # a view of "Mine anmeldelser" names the old case too
    report = vaern.purge_closed_cases(T0, older_than=timedelta(days=365), dry_run=False, user="admin")
    assert report.case_ids == (old,) and not report.dry_run
    with pytest.raises(NotAllowed):
        vaern.view_case(old, "leder-akut", T0)  # refused like any case one may not see
    # Steps are kept for the figures, without anyone's name; timers go.
    tasks = vaern.tasks_of_case(old)
    assert tasks and all(t.assignee_id is None and t.completed_by is None for t in tasks)
    assert vaern.timers_of_case(old) == []
    assert all(e.details in ({}, {"notice": "reminder"}) and e.actor == "-" for e in vaern.events(old))
    assert vaern.access_log_about("ansat-akut") and all(e.case_id != old for e in vaern.access_log_about("ansat-akut"))
    lists = [e.case_ids for e in vaern.access_log() if e.case_id is None]
    assert lists and all(old not in ids and ids for ids in lists), "the purged case leaves the list views too"
    assert vaern.case_statistics() == before  # the counts are the same; only the people are gone
    assert vaern.case(recent).data["description"] == "følsomt"
    assert vaern.case(still_open).status == "open"
    assert any(e.action == "retention_purge" and e.details["cases"] == 1 for e in vaern.events())


def _raw(path) -> bytes:
    """Every byte SQLite keeps for the database: the file, its write-ahead log and its shared-memory index."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
                    if p.exists())


def test_after_vaern_purge_no_copy_is_left_in_the_raw_database_files(tmp_path):
    import os
    import subprocess
    import sys

    from engine import Settings, open_vaern
    from tests.conftest import DEMO_ORG, DIAGRAMS, ROOT

    path = tmp_path / "vaern.sqlite3"
    vaern = open_vaern(Settings(database_url=f"sqlite:///{path}"))
    vaern.import_org(DEMO_ORG, "admin", T0)
    vaern.deploy((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", "admin", T0)
    # Plain ASCII, so the same bytes stand in every place a copy can be (the state is JSON with escaped letters).
    secrets = ["Beskrivelse-7c1e han truede hende i omkladningsrummet", "Referat-5d2a hun var bange",
               "Kladde-9f4b det jeg ikke naaede at skrive faerdigt"]
    when = T0 - timedelta(days=400)
    case = vaern.start_case("simple", "afd-akut", {**PARTIES, "description": secrets[0]}, "ansat-akut", when)
    [item] = vaern.inbox("leder-akut", when)
    # Saved several times over, as a real case is: every version of its state is a copy somewhere in the files.
    vaern.claim(item.task_id, "leder-akut", when)
    vaern.save_draft(item.task_id, "leder-akut", {"summary": secrets[2]}, when)  # half typed, kept as a draft
    vaern.release(item.task_id, "leder-akut", when)
    # The affected withdraws the complaint: the conversation's task closes by the case's course, so the leader's
    # draft of it stays (a completed task's drafts go with its completion), and the affected's note is in the state.
    vaern.send_message(case.id, "complaint_withdrawn", {"note": secrets[1]}, "ansat-akut", when)
    assert vaern.case(case.id).status == "closed"
    vaern.view_case(case.id, "ansat-akut", when)
    link = f"/tasks/{item.task_id}".encode()
    vaern.db.dispose()
    before = _raw(path)
    assert all(s.encode() in before for s in secrets) and link in before, "the test sees the data before the purge"

    result = subprocess.run([sys.executable, "-m", "engine", "purge", "--yes", "--older-than-days", "365"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "VAERN_DATABASE_URL": f"sqlite:///{path}"})
    assert result.returncode == 0, result.stderr
    assert "purged 1 case(s)" in result.stdout and "no copy of the purged data is left" in result.stdout

    after = _raw(path)
    for secret in secrets:
        assert secret.encode() not in after
    assert link not in after, "the outbox mail linking to the case's task is gone too"
    assert item.task_id.encode() in after, "only the event log keeps the task's id, without who or what"
