"""The anonymous channel in the engine: a report without a person, the code, the dialogue, its deadlines,
the signal to a leader, consent for a named case, throttling, retention and the key's rotation."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import (
    CodeNotRecognised,
    InvalidInput,
    NotAllowed,
    Settings,
    TooManyAttempts,
    WrittenReport,
    open_vaern,
)
from engine.anonymous import sealing
from engine.anonymous.results import AWAITING_WRITER, CLOSED, FEEDBACK_GIVEN, IN_PROGRESS, RECEIVED
from engine.models import AnonymousMessage, AnonymousReport, Case, Event
from engine.testing import deploy_guideline, stored_workflow
from tests.conftest import DEMO_ORG, T0

HANDLER = "anonym-region"
SECRET_TEXT = "Min afdelingsleder råber ad Birthe hver fredag ved tavlemødet"


def anonymous_settings(database_url: str, key_file: Path, **overrides) -> Settings:
    """Settings for tests: the key in a file of the test's own, Argon2id at a small but real cost."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        sealing.write_key_file(key_file, sealing.generate())
    base = Settings(database_url=database_url, anonymous_key_file=key_file, anonymous_argon2_memory_kib=8192,
                    anonymous_argon2_time_cost=2)
    return replace(base, **overrides)


@pytest.fixture
def channel(database_url, tmp_path):
    """The engine with the demo organisation, the harassment and anonymous diagrams, and a handlers' key."""
    vaern = open_vaern(anonymous_settings(database_url, tmp_path / "keys" / "handlers.key"))
    vaern.import_org(DEMO_ORG, "admin", T0)
    deploy_guideline(vaern, T0, "harassment", "anonymous")
    yield vaern
    vaern.db.dispose()


def written(what: str = SECRET_TEXT) -> WrittenReport:
    return WrittenReport(what=what, where="Akutafdelingen", when="sidste måned", act="bullying")


def handler_task(vaern, case_id: int, spec: str):
    tasks = [t for t in vaern.tasks_of_case(case_id) if t.state == "open" and t.spec_id == spec]
    assert tasks, f"no open {spec} in {[(t.spec_id, t.state) for t in vaern.tasks_of_case(case_id)]}"
    return tasks[0]


def test_a_report_starts_a_case_without_a_person_and_without_its_text_in_the_case(channel):
    sent = channel.anonymous.submit(written(), T0)
    assert len(sent.code) == 16 and sent.code.isdigit()
    case = channel.case(sent.case_id)
    assert case.kind == "anonymous" and case.created_by == "anonymous" and case.parties == {}
    assert case.unit_id == "region"
    with channel.uow() as uow:
        state = uow.session.get(Case, sent.case_id).state
        lookup = uow.session.get(AnonymousReport, sent.case_id).lookup
        bodies = [m.body for m in uow.session.scalars(select(AnonymousMessage))]
    assert SECRET_TEXT not in state and "Akutafdelingen" not in state
    assert sent.code not in state and sent.code not in lookup
    assert all(SECRET_TEXT.encode() not in body for body in bodies)
    # The handler, and nobody else, has the acknowledgement in the inbox, as a case of its own kind.
    inbox = channel.inbox(HANDLER, T0)
    assert [(item.case_kind, item.role) for item in inbox] == [("anonymous", "anonymous_handler")]
    assert not [i for i in channel.inbox("direktoer", T0) if i.case_kind == "anonymous"]


def test_the_dialogue_from_acknowledgement_to_feedback(channel):
    sent = channel.anonymous.submit(written(), T0)
    view = channel.anonymous.writer_view(sent.code, "client-1", T0 + timedelta(hours=1))
    assert view.report.what == SECRET_TEXT and view.stage == RECEIVED
    assert view.deadlines.acknowledge_by == T0 + timedelta(days=7) and view.deadlines.feedback_by is None

    t1 = T0 + timedelta(days=2)
    channel.anonymous.handler_message(sent.case_id, "Tak, vi har modtaget din henvendelse.", HANDLER, t1)
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Acknowledge").id,
                          {"receipt_confirmed": True}, HANDLER, t1)
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Assess").id, {"next_step": "ask"}, HANDLER, t1)
    channel.anonymous.handler_message(sent.case_id, "Hvor ofte sker det?", HANDLER, t1)
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Ask").id, {"question_about": "facts"}, HANDLER, t1)

    view = channel.anonymous.writer_view(sent.code, "client-1", t1)
    assert view.stage == AWAITING_WRITER
    assert [m.text for m in view.messages] == ["Tak, vi har modtaget din henvendelse.", "Hvor ofte sker det?"]
    assert view.deadlines.acknowledged_at == t1
    assert view.deadlines.feedback_by == t1.replace(month=t1.month + 3 - 12, year=t1.year + 1)

    t2 = t1 + timedelta(days=1)
    view = channel.anonymous.writer_reply(sent.code, "Hver uge.", False, "client-1", t2)
    assert view.stage == IN_PROGRESS and view.messages[-1].text == "Hver uge."
    assert handler_task(channel, sent.case_id, "Task_Assess")
    # The answer moved the case on with an empty message: nothing of it in the case's data.
    assert "Hver uge" not in stored_workflow(channel, sent.case_id).dumps()

    handled = channel.anonymous.handler_view(sent.case_id, HANDLER, t2)
    assert handled.report.what == SECRET_TEXT and [m.author for m in handled.messages] == ["handler", "handler", "writer"]
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Assess").id, {"next_step": "feedback"}, HANDLER, t2)
    channel.anonymous.handler_message(sent.case_id, "Vi har talt med ledelsen.", HANDLER, t2)
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Feedback").id, {"outcome": "handled"}, HANDLER, t2)
    assert channel.anonymous.writer_view(sent.code, "client-1", t2).stage == FEEDBACK_GIVEN
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Close").id, {"dialogue_closed": True}, HANDLER, t2)
    view = channel.anonymous.writer_view(sent.code, "client-1", t2)
    assert view.stage == CLOSED and not view.may_reply
    with pytest.raises(InvalidInput):
        channel.anonymous.writer_reply(sent.code, "En ting til", False, "client-1", t2)


def test_only_the_handlers_read_a_report_and_every_read_is_logged(channel):
    sent = channel.anonymous.submit(written(), T0)
    for outsider in ("direktoer", "koncern-hr", "leder-akut", "ansat-akut"):
        with pytest.raises(NotAllowed):
            channel.anonymous.handler_view(sent.case_id, outsider, T0)
        assert channel.case_access(sent.case_id, outsider) == "none"
    channel.anonymous.handler_view(sent.case_id, HANDLER, T0)
    reads = [(e.person_id, e.allowed) for e in channel.access_log() if e.case_id == sent.case_id]
    assert (HANDLER, True) in reads and ("direktoer", False) in reads


def test_a_wrong_code_and_a_missing_one_are_refused_alike(channel):
    sent = channel.anonymous.submit(written(), T0)
    wrong = "1" * 16 if sent.code != "1" * 16 else "2" * 16
    for code in (wrong, "", None, "abc", sent.code[:-1]):
        with pytest.raises(CodeNotRecognised) as refused:
            channel.anonymous.writer_view(code, f"client-{code}", T0)
        assert str(refused.value) == "no report has this code"
    # Spaces and dashes as the code was shown are fine.
    spaced = " ".join(sent.code[i:i + 4] for i in range(0, 16, 4))
    assert channel.anonymous.writer_view(spaced, "client-x", T0).report.what == SECRET_TEXT


def test_a_wrong_and_a_missing_code_take_the_same_time(channel):
    sent = channel.anonymous.submit(written(), T0)
    wrong = "9" * 16 if sent.code != "9" * 16 else "8" * 16
    times: dict[str, list[float]] = {"missing": [], "wrong": [], "right": []}

    def once(kind: str, code: str, i: int) -> None:
        started = time.perf_counter()
        try:
            channel.anonymous.writer_view(code, f"timing-{kind}-{i}", T0)
        except CodeNotRecognised:
            assert kind != "right"
        times[kind].append(time.perf_counter() - started)

    # Taken in turns, so that a busy moment of a shared machine falls on all three alike; medians compared.
    for i in range(13):
        once("missing", "", i)
        once("wrong", wrong, i)
        once("right", sent.code, i)
    missing, wrong_time, right = (sorted(times[k][2:])[len(times[k][2:]) // 2] for k in ("missing", "wrong", "right"))
    # The key derivation is the cost: a missing code pays it like a wrong one (no quick "not a code" answer).
    assert 0.67 < missing / wrong_time < 1.5, (missing, wrong_time)
    # A right code does the same derivation and then reads the report: more, but of the same order.
    assert 0.33 < right / wrong_time < 3.0, (right, wrong_time)


def test_twenty_wrong_codes_from_one_client_are_slowed(channel):
    sent = channel.anonymous.submit(written(), T0)
    refused = throttled = 0
    for i in range(20):
        try:
            channel.anonymous.writer_view(f"{i:016d}", "guesser", T0 + timedelta(seconds=i))
        except CodeNotRecognised:
            refused += 1
        except TooManyAttempts:
            throttled += 1
    assert refused == 10 and throttled == 10
    # Even the right code waits now, from that client; another client is not held up.
    with pytest.raises(TooManyAttempts):
        channel.anonymous.writer_view(sent.code, "guesser", T0 + timedelta(minutes=1))
    assert channel.anonymous.writer_view(sent.code, "someone-else", T0 + timedelta(minutes=1))
    # After the window the client may try again.
    assert channel.anonymous.writer_view(sent.code, "guesser", T0 + timedelta(minutes=16))


def test_the_acknowledgement_is_reminded_and_overdue_after_seven_days(channel):
    sent = channel.anonymous.submit(written(), T0)

    def clock_notices() -> list[str]:
        return sorted(n.kind for n in channel.notices(HANDLER) if n.kind != "assigned")

    channel.fire_due_timers(T0 + timedelta(days=4, hours=23))
    assert clock_notices() == []
    channel.fire_due_timers(T0 + timedelta(days=5, minutes=1))
    assert clock_notices() == ["reminder"]
    channel.fire_due_timers(T0 + timedelta(days=6, hours=23))
    assert clock_notices() == ["reminder"]
    channel.fire_due_timers(T0 + timedelta(days=7, minutes=1))
    assert clock_notices() == ["overdue", "reminder"]
    assert handler_task(channel, sent.case_id, "Task_Acknowledge")  # the task stands


def test_the_feedback_is_reminded_fifteen_days_before_and_due_three_months_after_acknowledgement(channel):
    sent = channel.anonymous.submit(written(), T0)
    acknowledged = T0 + timedelta(days=1)  # 27 November 2026
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Acknowledge").id, {"receipt_confirmed": True},
                          HANDLER, acknowledged)
    due = acknowledged.replace(year=2027, month=2)  # 27 February 2027
    assert channel.anonymous.writer_view(sent.code, "c", acknowledged).deadlines.feedback_by == due
    # The assessment keeps its own clock: answer it so that only the feedback's timers remain in question.
    channel.complete_task(handler_task(channel, sent.case_id, "Task_Assess").id, {"next_step": "feedback"},
                          HANDLER, acknowledged)

    def fired_between(start, end) -> list[str]:
        channel.fire_due_timers(start)
        seen = {n.id for n in channel.notices(HANDLER)}
        channel.fire_due_timers(end)
        return sorted(n.kind for n in channel.notices(HANDLER) if n.id not in seen)

    reminder = due - timedelta(days=15)
    assert fired_between(reminder - timedelta(hours=1), reminder + timedelta(minutes=1)) == ["reminder"]
    assert fired_between(due - timedelta(hours=1), due + timedelta(minutes=1)) == ["overdue"]
    assert handler_task(channel, sent.case_id, "Task_Feedback")


def test_a_signal_to_the_leader_names_nobody_but_the_handler(channel):
    sent = channel.anonymous.submit(written(), T0)
    signal = channel.anonymous.signal_leader(sent.case_id, "afd-akut", "bullying",
                                             "Der er signaler om en hård tone på tavlemøderne.", HANDLER, T0)
    case = channel.case(signal.id)
    assert case.kind == "harassment" and case.created_by == HANDLER
    assert case.parties == {"reporter_id": HANDLER}
    leader_tasks = [t for t in channel.tasks_of_case(signal.id) if t.state == "open"]
    assert leader_tasks and all(t.role == "leader" for t in leader_tasks)
    detail = channel.task_detail(leader_tasks[0].id)
    shown = repr(detail)
    assert SECRET_TEXT not in shown and sent.code not in shown and "Akutafdelingen" not in shown
    assert "anonymous" not in repr(channel.case(signal.id).parties)
    assert channel.anonymous.handler_view(sent.case_id, HANDLER, T0).signals == (signal.id,)
    with pytest.raises(NotAllowed):
        channel.anonymous.signal_leader(sent.case_id, "afd-akut", "bullying", "x", "leder-akut", T0)


def test_a_named_case_only_with_the_writers_consent(channel):
    sent = channel.anonymous.submit(written(), T0)
    with pytest.raises(NotAllowed):
        channel.anonymous.named_case(sent.case_id, "afd-akut", "ansat-akut", "bullying", "Sagen", HANDLER, T0)
    channel.anonymous.writer_reply(sent.code, "Jeg er Anna Ansat og vil gerne stå frem.", True, "c", T0)
    named = channel.anonymous.named_case(sent.case_id, "afd-akut", "ansat-akut", "bullying", "Sagen", HANDLER, T0)
    assert channel.case(named.id).parties["employee_id"] == "ansat-akut"


def test_a_closed_report_is_deleted_after_the_retention_period(channel):
    sent = channel.anonymous.submit(written(), T0)
    for spec, values in (("Task_Acknowledge", {"receipt_confirmed": True}), ("Task_Assess", {"next_step": "feedback"}),
                         ("Task_Feedback", {"outcome": "no_action"}), ("Task_Close", {"dialogue_closed": True})):
        channel.complete_task(handler_task(channel, sent.case_id, spec).id, values, HANDLER, T0)
    assert channel.anonymous.purge_closed_reports(T0 + timedelta(days=364)) == ()
    assert channel.anonymous.purge_closed_reports(T0 + timedelta(days=366)) == (sent.case_id,)
    with channel.uow() as uow:
        s = uow.session
        assert s.get(AnonymousReport, sent.case_id) is None
        assert not list(s.scalars(select(AnonymousMessage)))
        deleted = [(e.case_id, e.details) for e in s.scalars(select(Event).where(
            Event.action == "anonymous_report_deleted"))]
    assert deleted == [(sent.case_id, {})]
    with pytest.raises(CodeNotRecognised):
        channel.anonymous.writer_view(sent.code, "c", T0 + timedelta(days=367))
    assert ("anonymous", "region", 2026, 1) in channel.case_statistics()


def test_rotating_the_key_reseals_every_report(channel, tmp_path):
    first = channel.anonymous.submit(written("først"), T0)
    second = channel.anonymous.submit(written("anden"), T0)
    new_key = sealing.generate()
    assert channel.anonymous.rotate_key(new_key, T0) == 2
    sealing.write_key_file(channel.settings.anonymous_key_file, new_key)
    assert channel.anonymous.handler_view(first.case_id, HANDLER, T0).report.what == "først"
    assert channel.anonymous.handler_view(second.case_id, HANDLER, T0).report.what == "anden"
    assert channel.anonymous.writer_view(second.code, "c", T0).report.what == "anden"


def test_the_figures_count_anonymous_reports_with_the_same_suppression(channel):
    from engine import FIGURE_SHOWN, FIGURE_SMALL

    for i in range(2):
        channel.anonymous.submit(written(f"rapport {i}"), T0)
    small = channel.figures.report("region", T0.year, "rmu-region", T0).this_year.total
    assert small.mark == FIGURE_SMALL and small.value is None
    for i in range(4):
        channel.anonymous.submit(written(f"rapport {i + 2}"), T0 + timedelta(seconds=1))
    shown = channel.figures.report("region", T0.year, "rmu-region", T0 + timedelta(days=1)).this_year.total
    assert shown.mark == FIGURE_SHOWN and shown.value == 6


def test_date_before_counts_back_in_days_and_refuses_months():
    from engine import ExpressionError
    from engine.bpmn.expressions import evaluate

    assert evaluate('date_before("2027-02-27T09:00:00+00:00", "P15D")', {}) == "2027-02-12T09:00:00+00:00"
    with pytest.raises(ExpressionError):
        evaluate('date_before("2027-02-27T09:00:00+00:00", "P1M")', {})
