"""The year's MED round starts by itself on its date, once a year, for the top unit; by hand at most once too.

The scheduler's sweep runs with its clock passed in; everything else is the real diagram and database.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import AnnualRoundExists, Settings, TimerScheduler, annual_round, open_vaern, start_annual_round
from engine.cases import annual_cycle
from tests.conftest import ROOT
from tests.scenario import deploy_guideline, open_specs

ORG = Path(__file__).resolve().parent / "orgs" / "two_areas.yaml"
DIAGRAM = ROOT / "workflows" / "annual_med.bpmn"
# 1 February 2027, 00:00 in Copenhagen (the diagram's annual_start is 02-01).
FEBRUARY_1 = datetime(2027, 1, 31, 23, 0, tzinfo=timezone.utc)


@pytest.fixture
def med(empty_vaern):
    empty_vaern.import_org(ORG, "admin", FEBRUARY_1 - timedelta(days=60))
    deploy_guideline(empty_vaern, FEBRUARY_1 - timedelta(days=60), "annual_med")
    return empty_vaern


def sweep(service, moment: datetime) -> None:
    """One sweep of the scheduler, as it runs every minute, at `moment`."""
    TimerScheduler(service, clock=lambda: moment).sweep()


def rounds(service) -> list:
    return [c for c in service.cases(limit=1000) if c.kind == "annual_med"]


def started_events(service) -> list[dict]:
    return [e.details for e in service.events(limit=10_000) if e.action == "annual_round_started"]


def test_the_round_starts_by_itself_on_its_date_and_only_once_a_year(med):
    sweep(med, FEBRUARY_1 - timedelta(minutes=1))
    assert rounds(med) == []
    sweep(med, FEBRUARY_1 + timedelta(seconds=30))
    [first] = rounds(med)
    assert first.unit_id == "region" and first.created_at == FEBRUARY_1 + timedelta(seconds=30)
    assert med.case(first.id).data["year"] == 2027
    assert sorted(open_specs(med, first.id)["lmu_annual_discussion"]) == ["lmu-a1", "lmu-a2", "lmu-b1", "lmu-b2"]
    for later in (timedelta(minutes=1), timedelta(days=1), timedelta(days=200)):
        sweep(med, FEBRUARY_1 + later)
    assert [c.id for c in rounds(med)] == [first.id]
    # The next year has its own round, on its own date.
    sweep(med, FEBRUARY_1 + timedelta(days=364))
    assert len(rounds(med)) == 1
    sweep(med, datetime(2028, 1, 31, 23, 0, 1, tzinfo=timezone.utc))
    assert len(rounds(med)) == 2
    assert [(e["year"], e["source"], e["unit"]) for e in started_events(med)] == [
        (2027, "schedule", "region"), (2028, "schedule", "region")]


def test_a_service_that_was_down_on_the_date_starts_the_round_when_it_comes_back(med):
    sweep(med, FEBRUARY_1 + timedelta(days=9))
    [started] = rounds(med)
    assert started.created_at == FEBRUARY_1 + timedelta(days=9)


def test_a_round_started_by_hand_is_the_years_round(med):
    early = FEBRUARY_1 - timedelta(days=20)
    info = start_annual_round(med, "koncern-hr", early)
    assert info.unit_id == "region"
    with pytest.raises(AnnualRoundExists) as refused:
        start_annual_round(med, "koncern-hr", early + timedelta(hours=1))
    assert (refused.value.year, refused.value.case_id) == (2027, info.id)
    sweep(med, FEBRUARY_1 + timedelta(minutes=5))
    assert [c.id for c in rounds(med)] == [info.id]
    state = annual_round(med, FEBRUARY_1)
    assert (state.year, state.case_id, state.status, state.deployed) == (2027, info.id, "open", True)
    assert started_events(med) == [{"year": 2027, "source": "admin", "unit": "region"}]


def test_this_years_round_shows_when_it_will_start_until_it_has(med):
    state = annual_round(med, FEBRUARY_1 - timedelta(days=1))
    assert (state.case_id, state.starts_at, state.problem) == (None, FEBRUARY_1, None)


def test_a_diagram_without_the_setting_starts_only_by_hand(med):
    xml = DIAGRAM.read_text(encoding="utf-8")
    without = xml.replace('        <camunda:property name="setting.annual_start" value="02-01" />\n', "")
    assert without != xml
    med.deploy(without.encode("utf-8"), "annual_med.bpmn", "procesejer", FEBRUARY_1 - timedelta(days=30))
    sweep(med, FEBRUARY_1 + timedelta(days=1))
    assert rounds(med) == []
    assert annual_round(med, FEBRUARY_1).starts_at is None
    assert start_annual_round(med, "koncern-hr", FEBRUARY_1 + timedelta(days=2)).unit_id == "region"


def test_a_setting_that_is_no_month_day_is_shown_and_keeps_the_sweep_going(med, caplog):
    xml = DIAGRAM.read_text(encoding="utf-8").replace('name="setting.annual_start" value="02-01"',
                                                      'name="setting.annual_start" value="1. februar"')
    med.deploy(xml.encode("utf-8"), "annual_med.bpmn", "procesejer", FEBRUARY_1 - timedelta(days=30))
    assert "not a month-day" in annual_round(med, FEBRUARY_1).problem
    sweep(med, FEBRUARY_1 + timedelta(days=1))  # does not raise: timers and mail go on
    assert rounds(med) == [] and "could not start" in caplog.text


def test_a_leap_day_start_falls_on_the_last_of_february_in_other_years():
    assert annual_cycle.start_moment("02-29", 2027) == datetime(2027, 2, 27, 23, 0, tzinfo=timezone.utc)
    assert annual_cycle.start_moment("--02-29", 2028) == datetime(2028, 2, 28, 23, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        annual_cycle.start_moment("13-01", 2027)


def test_the_check_inside_the_start_refuses_a_second_round_the_first_look_missed(med):
    first = start_annual_round(med, "koncern-hr", FEBRUARY_1)
    # As if a second starter looked before the first one committed: only the look inside the start sees it.
    def look(s, year, besides=None):
        return annual_cycle.round_of(s, year, besides) if besides is not None else None

    with pytest.raises(AnnualRoundExists):
        start_annual_round(med, "koncern-hr", FEBRUARY_1 + timedelta(hours=1), look=look)
    assert [c.id for c in rounds(med)] == [first.id]
    assert [e.case_id for e in med.events(limit=10_000) if e.action == "case_started"] == [first.id]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.slow
def test_two_starters_at_the_same_moment_start_one_round(med, database_url):
    looks = annual_cycle.round_of
    checked = threading.Barrier(2, timeout=3)

    def look(s, year, besides=None):
        if besides is None:
            return None  # both pass the first look, as if they looked at the same moment
        found = looks(s, year, besides)
        try:
            checked.wait()  # without the lock both would look here before either commits
        except threading.BrokenBarrierError:
            pass  # the other one is held by the lock until this one commits
        return found

    services = [open_vaern(Settings(database_url=database_url), migrate=False) for _ in range(2)]
    together = threading.Barrier(2)
    outcomes: list[str] = []

    def start(service):
        together.wait()
        try:
            start_annual_round(service, "koncern-hr", FEBRUARY_1, look=look)
            outcomes.append("started")
        except AnnualRoundExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=start, args=(service,)) for service in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for service in services:
        service.db.dispose()
    assert sorted(outcomes) == ["refused", "started"]
    assert len(rounds(med)) == 1


def test_vaern_annual_start_and_status(med):
    from engine.cli.main import CliContext, cli

    three_days_before = CliContext(service=lambda: med, now=lambda: FEBRUARY_1 - timedelta(days=3))
    runner = CliRunner()
    assert "starts by itself" in runner.invoke(cli, ["annual", "status"], obj=three_days_before).output
    due = runner.invoke(cli, ["annual", "start", "--when-due"], obj=three_days_before)
    assert due.exit_code == 0 and "nothing to start" in due.output and rounds(med) == []
    started = runner.invoke(cli, ["annual", "start"], obj=three_days_before)
    assert started.exit_code == 0 and "started as case" in started.output
    again = runner.invoke(cli, ["annual", "start"], obj=three_days_before)
    assert again.exit_code == 1 and "already started" in again.output
    assert len(rounds(med)) == 1
    assert "(open)" in runner.invoke(cli, ["annual", "status"], obj=three_days_before).output
