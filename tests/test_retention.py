"""Retention (LAW-8): closed cases past the period lose their personal data; counts remain."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import CaseNotFound
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
    report = vaern.purge_closed_cases(T0, older_than=timedelta(days=365), dry_run=False, user="admin")
    assert report.case_ids == (old,) and not report.dry_run
    with pytest.raises(CaseNotFound):
        vaern.view_case(old, "leder-akut", T0)
    # Steps are kept for the figures, without anyone's name; timers go.
    tasks = vaern.tasks_of_case(old)
    assert tasks and all(t.assignee_id is None and t.completed_by is None for t in tasks)
    assert vaern.timers_of_case(old) == []
    assert all(e.details in ({}, {"notice": "reminder"}) and e.actor == "-" for e in vaern.events(old))
    assert vaern.access_log_about("ansat-akut") and all(e.case_id != old for e in vaern.access_log_about("ansat-akut"))
    assert vaern.case_statistics() == before  # the counts are the same; only the people are gone
    assert vaern.case(recent).data["description"] == "følsomt"
    assert vaern.case(still_open).status == "open"
    assert any(e.action == "retention_purge" and e.details["cases"] == 1 for e in vaern.events())
