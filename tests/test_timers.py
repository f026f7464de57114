"""Timers: working days, waking at the due time, firing after a restart, exactly once."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from engine.cases.scheduler import TimerScheduler
from tests.conftest import T0, simple_xml
from tests.test_cases import PARTIES


def _wait_for(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _notices(vaern, case_id):
    return [e for e in vaern.events(case_id) if e.action == "notice"]


def test_a_duration_in_working_days_skips_the_weekend_and_holidays(vaern):
    vaern.deploy(simple_xml().replace('value="P2D"', 'value="2 arbejdsdage"').encode(), "simple.bpmn", "ejer", T0)
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", friday)
    assert vaern.timers_of_case(case.id) == [("Timer_remind", datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))]
    before_christmas = datetime(2026, 12, 23, 9, 0, tzinfo=timezone.utc)  # Wednesday; 24 Dec then the holidays
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", before_christmas)
    assert vaern.timers_of_case(case.id)[0][1] == datetime(2026, 12, 28, 9, 0, tzinfo=timezone.utc)


def test_a_working_day_setting_passes_the_check(vaern):
    info = vaern.deploy(simple_xml().replace('value="P2D"', 'value="5 arbejdsdage"').encode(), "s.bpmn", "ejer", T0)
    assert info.version == 2


def test_a_timer_that_fell_due_while_the_service_was_down_fires_on_start(vaern):
    now = datetime.now(timezone.utc)
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", now - timedelta(days=3))
    scheduler = TimerScheduler(vaern, sweep_seconds=3600).start()
    try:
        assert _wait_for(lambda: len(_notices(vaern, case.id)) == 1), "the overdue reminder did not fire on start"
    finally:
        scheduler.shutdown()
    assert _notices(vaern, case.id)[0].details["recipients"] == ["leder-akut"]


@pytest.mark.slow
def test_the_scheduler_wakes_at_the_due_time_without_waiting_for_the_sweep(vaern):
    now = datetime.now(timezone.utc)
    scheduler = TimerScheduler(vaern, sweep_seconds=3600).start()
    try:
        # Started so that its reminder falls due two seconds from now: only the date job can catch it in time.
        case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", now - timedelta(days=2) + timedelta(seconds=2))
        assert _notices(vaern, case.id) == []
        assert _wait_for(lambda: len(_notices(vaern, case.id)) == 1, seconds=10)
        fired = _notices(vaern, case.id)[0].at
        due = now + timedelta(seconds=2)
        assert fired >= due and fired - due < timedelta(seconds=5)
    finally:
        scheduler.shutdown()
    assert len(_notices(vaern, case.id)) == 1


def test_firing_twice_is_harmless(vaern):
    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    due = T0 + timedelta(days=2, seconds=1)
    assert vaern.fire_due_timers(due) == 1
    assert vaern.fire_due_timers(due) == 0
    assert len(_notices(vaern, case.id)) == 1
    assert sum(1 for e in vaern.events(case.id) if e.action == "timer_fired") == 1


def test_a_timer_row_the_workflow_does_not_have_is_cleared_by_the_first_sweep(vaern):
    # Rows are projections; one that does not match (restored from a backup, say) must not make the
    # case fire again every sweep.
    from engine.models import Timer
    from tests.scenario import assert_rows_match_workflow

    case = vaern.start_case("simple", "afd-akut", PARTIES, "ansat-akut", T0)
    with vaern.uow() as uow:
        uow.session.add(Timer(id="stale-row", case_id=case.id, spec_id="Timer_remind", due_at=T0))
        uow.commit()
    assert vaern.fire_due_timers(T0 + timedelta(minutes=1)) == 1
    assert vaern.fire_due_timers(T0 + timedelta(minutes=2)) == 0
    assert_rows_match_workflow(vaern, case.id)
