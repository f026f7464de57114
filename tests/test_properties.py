"""Property-based: random commands by random people across cases never break need-to-know.

After every step: no task was completed by someone not allowed to, no case was shown to someone with
no relation to it, the accused never learns of a case (no access, no access-log line, no list entry,
no notice but their own hearing, never a grant), a log-out ends every session of that person, a purged
case is gone for everyone, case versions only grow, the event log only grows at its end (but for what a
purge blanks), and the task, candidate and timer rows (written as differences) always equal a full
projection of each case.
"""
from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from engine import GrantRefused, InvalidInput, NotAllowed, NotFound, Settings, TaskNotOpen, open_vaern
from tests.conftest import DEMO_ORG, DIAGRAMS, T0
from tests.scenario import assert_rows_match_workflow

# Hypothesis drives twenty random command sequences through the engine and the web: seconds, not milliseconds.
pytestmark = pytest.mark.slow

PEOPLE = ["leder-akut", "hosp-leder", "ansat-akut", "kollega-akut", "tr-akut", "hr-hosp", "direktoer",
          "leder-psyk", "koncern-hr", "lmu-akut"]
UNITS = ["afd-akut", "afd-psyk"]


class CaseCommands(RuleBasedStateMachine):
    """Random people doing random things to a handful of cases."""

    def __init__(self):
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.vaern = open_vaern(Settings(database_url=f"sqlite:///{Path(self.tmp.name) / 'p.sqlite3'}"))
        self.vaern.import_org(DEMO_ORG, "admin", T0)
        self.vaern.set_password("koncern-hr", "administrator-1", T0, admin=True)
        self.vaern.deploy((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", "admin", T0)
        self.now = T0
        self.case_ids: list[int] = []
        self.versions: dict[int, int] = {}
        self.events_seen: list[tuple] = []
        self.purged: set[int] = set()
        self.granted: set[tuple[int, str]] = set()  # (case, person) the case's leader let in
        self.app = None
        self.sessions: dict[str, list] = {}  # person -> web clients logged in as them

    def _app(self):
        # The web app on the same database, built on first use: log-in and log-out go through its pages.
        if self.app is None:
            from web import create_app

            self.app = create_app({"TESTING": True, "SECRET_KEY": "p", "WTF_CSRF_ENABLED": False,
                                   "VAERN_SCHEDULER": False, "VAERN_SETTINGS": self.vaern.settings})
        return self.app

    def teardown(self):
        if self.app is not None:
            self.app.extensions["vaern"].db.dispose()
        self.vaern.db.dispose()
        self.tmp.cleanup()

    def _tick(self):
        self.now += timedelta(hours=3)
        return self.now

    @rule(unit=st.sampled_from(UNITS), employee=st.sampled_from(PEOPLE), accused=st.sampled_from(PEOPLE + [None]),
          reporter=st.sampled_from(PEOPLE))
    def start(self, unit, employee, accused, reporter):
        data = {"employee_id": employee, "reporter_id": reporter}
        if accused and accused != employee:
            data["accused_id"] = accused
        case = self.vaern.start_case("simple", unit, data, reporter, self._tick())
        self.case_ids.append(case.id)
        self.versions[case.id] = case.version

    @rule(person=st.sampled_from(PEOPLE), pick=st.integers(0, 50), serious=st.booleans())
    def complete(self, person, pick, serious):
        open_tasks = [t for c in self.case_ids for t in self.vaern.tasks_of_case(c) if t.state == "open"]
        if not open_tasks:
            return
        task = open_tasks[pick % len(open_tasks)]
        allowed = task.assignee_id == person or (task.assignee_id is None and person in task.candidates)
        values = {"summary": "x", "serious": serious, "statement": "y", "advice_given": True}
        fields = {f.id for f in self.vaern.task_detail(task.id).fields}
        values = {k: v for k, v in values.items() if k in fields}
        try:
            self.vaern.complete_task(task.id, values, person, self._tick())
        except NotAllowed:
            assert not allowed, f"{person} was refused a task they may do"
            return
        assert allowed, f"{person} completed {task.spec_id} ({task.role}) without being allowed"
        done = self.vaern.task(task.id)
        assert done.state == "completed" and done.completed_by == person

    @rule(person=st.sampled_from(PEOPLE), pick=st.integers(0, 50), claim=st.booleans())
    def claim_or_release(self, person, pick, claim):
        open_tasks = [t for c in self.case_ids for t in self.vaern.tasks_of_case(c) if t.state == "open"]
        if not open_tasks:
            return
        task = open_tasks[pick % len(open_tasks)]
        try:
            if claim:
                self.vaern.claim(task.id, person, self._tick())
                assert person in task.candidates or task.assignee_id == person
            else:
                self.vaern.release(task.id, person, self._tick())
                assert task.assignee_id == person
        except NotAllowed:
            pass

    @rule(pick=st.integers(0, 50), person=st.sampled_from(PEOPLE))
    def withdraw(self, pick, person):
        if not self.case_ids:
            return
        case_id = self.case_ids[pick % len(self.case_ids)]
        try:
            self.vaern.send_message(case_id, "complaint_withdrawn", {}, person, self._tick())
        except (InvalidInput, NotAllowed):
            pass  # not waiting for it, or not the affected's to send

    @rule(days=st.integers(0, 4))
    def time_passes(self, days):
        self.now += timedelta(days=days)
        self.vaern.fire_due_timers(self.now)

    @rule(pick=st.integers(0, 50), viewer=st.sampled_from(PEOPLE))
    def look(self, pick, viewer):
        if not self.case_ids:
            return
        case_id = self.case_ids[pick % len(self.case_ids)]
        related = self.vaern.involvement(viewer, case_id)
        try:
            view = self.vaern.view_case(case_id, viewer, self._tick())
        except NotAllowed:
            return
        assert related, f"{viewer} saw case {case_id} with no relation to it"
        assert "party:accused" not in related or view.level == "none", "the accused saw their case"
        assert not (view.case.data and view.level != "full"), "case data shown below full access"

    @rule(pick=st.integers(0, 50), leader=st.sampled_from(PEOPLE), person=st.sampled_from(PEOPLE))
    def grant(self, pick, leader, person):
        if not self.case_ids:
            return
        case_id = self.case_ids[pick % len(self.case_ids)]
        accused = self.vaern.case(case_id).parties.get("accused_id") if case_id not in self.purged else None
        try:
            self.vaern.grant_access(case_id, person, leader, self._tick())
        except (NotAllowed, GrantRefused):
            return
        except Exception as exc:  # a purged case has no leader: refused like any other
            assert case_id in self.purged, exc
            return
        assert person != accused, "the accused was given access"
        self.granted.add((case_id, person))

    @rule(pick=st.integers(0, 50), leader=st.sampled_from(PEOPLE), person=st.sampled_from(PEOPLE))
    def take_access_back(self, pick, leader, person):
        if not self.case_ids:
            return
        case_id = self.case_ids[pick % len(self.case_ids)]
        try:
            self.vaern.withdraw_access(case_id, person, leader, self._tick())
        except (NotAllowed, NotFound):
            return
        self.granted.discard((case_id, person))

    @rule(person=st.sampled_from(PEOPLE))
    def log_in(self, person):
        from tests.web.conftest import as_person

        client = self._app().test_client()
        as_person(client, self.vaern, person)
        assert client.get("/").status_code == 200
        self.sessions.setdefault(person, []).append(client)

    @rule(person=st.sampled_from(PEOPLE))
    def log_out(self, person):
        clients = self.sessions.pop(person, [])
        if not clients:
            return
        assert clients[-1].post("/logout").status_code == 302
        for client in clients:  # every session of the person, not only the one that logged out
            assert client.get("/").status_code == 302, f"a session of {person} outlived their log-out"

    @rule(days=st.integers(0, 30))
    def purge(self, days):
        report = self.vaern.purge_closed_cases(self.now, timedelta(days=days), dry_run=False, user="admin")
        self.purged.update(report.case_ids)
        if report.case_ids:
            self.events_seen = []  # a purge blanks who and what in the purged cases' events, by design

    @rule(pick=st.integers(0, 50), person=st.sampled_from(PEOPLE))
    def try_completed_task_again(self, pick, person):
        done = [t for c in self.case_ids for t in self.vaern.tasks_of_case(c) if t.state != "open"]
        if not done:
            return
        task = done[pick % len(done)]
        try:
            self.vaern.complete_task(task.id, {}, person, self._tick())
            raise AssertionError("a finished task was completed again")
        except (TaskNotOpen, NotAllowed):
            pass

    @invariant()
    def projections_match_the_workflows(self):
        for case_id in self.case_ids:
            if case_id not in self.purged:
                assert_rows_match_workflow(self.vaern, case_id)

    @invariant()
    def the_accused_never_learns_of_the_case(self):
        for case_id in self.case_ids:
            if case_id in self.purged:
                continue
            case = self.vaern.case(case_id)
            accused = case.parties.get("accused_id")
            if not accused:
                continue
            assert self.vaern.case_access(case_id, accused) == "none"
            assert not [e for e in self.vaern.access_log_about(accused) if e.case_id == case_id]
            if case.created_by == accused:
                assert case_id not in {r.case.id for r in self.vaern.my_reports(accused, self.now, per_page=1000).rows}
            hearings = {t.id for t in self.vaern.tasks_of_case(case_id) if t.role == "accused"}
            assert {n.task_id for n in self.vaern.notices(accused, limit=1000) if n.case_id == case_id} <= hearings
            with self.vaern.uow() as uow:
                from engine.models import AccessGrant
                assert uow.session.get(AccessGrant, (case_id, accused)) is None

    @invariant()
    def a_purged_case_is_gone_for_everyone(self):
        for case_id in self.purged:
            # Its steps stay for the committees' figures, without anyone's name; nothing waits any more.
            assert all(t.assignee_id is None and t.completed_by is None and not t.candidates
                       for t in self.vaern.tasks_of_case(case_id))
            assert self.vaern.timers_of_case(case_id) == []
            for person in ("leder-akut", "ansat-akut", "kollega-akut"):
                assert self.vaern.case_access(case_id, person) == "none"

    @invariant()
    def versions_only_grow(self):
        for case_id in self.case_ids:
            version = self.vaern.case(case_id).version
            assert version >= self.versions[case_id]
            self.versions[case_id] = version

    @invariant()
    def event_log_is_append_only(self):
        events = [(e.id, e.at, e.actor, e.action, e.case_id, e.task_id, repr(e.details)) for e in self.vaern.events(limit=10**6)]
        assert events[: len(self.events_seen)] == self.events_seen, "an event was changed or removed"
        assert [e[0] for e in events] == sorted(e[0] for e in events)
        self.events_seen = events

    @invariant()
    def strangers_and_administrators_see_nothing(self):
        for case_id in self.case_ids:
            for outsider in ("koncern-hr", "lmu-akut"):
                if not self.vaern.involvement(outsider, case_id) and (case_id, outsider) not in self.granted:
                    assert self.vaern.case_access(case_id, outsider) == "none"


CaseCommands.TestCase.settings = settings(max_examples=20, stateful_step_count=25, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_random_commands_keep_need_to_know = CaseCommands.TestCase
