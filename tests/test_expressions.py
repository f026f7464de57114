"""The restricted evaluator: what a diagram may and may not say."""
from datetime import datetime, timezone

import pytest

from engine.bpmn.expressions import (
    check_expression,
    date_add,
    deadline_after,
    evaluate,
    is_iso_literal,
    names_read,
    working_days_after,
)
from engine.clock import frozen_at
from engine.errors import ExpressionError


@pytest.mark.parametrize("expression, names, expected", [
    ("serious == True", {"serious": True}, True),
    ("severity >= 4 and injured", {"severity": 5, "injured": False}, False),
    ("kind in ['bullying', 'sexual_harassment']", {"kind": "bullying"}, True),
    ("P14D", {}, "P14D"),
    ("first_talk_due", {"first_talk_due": "P2D"}, "P2D"),
    ("defined('accused_id')", {}, False),
    ("len(witnesses) > 1", {"witnesses": ["a", "b"]}, True),
    ("'ja' if serious else 'nej'", {"serious": False}, "nej"),
])
def test_allowed_expressions_evaluate(expression, names, expected):
    assert evaluate(expression, names) == expected


@pytest.mark.parametrize("expression, fragment", [
    ("__import__('os').system('id')", "only these functions"),
    ("__builtins__", "may not start with '_'"),
    ("().__class__.__bases__", "attribute access"),
    ("x.__class__", "attribute access"),
    ("open('/etc/passwd')", "only these functions"),
    ("[c for c in range(10)]", "not allowed"),
    ("lambda: 1", "not allowed"),
    ("_secret", "may not start with '_'"),
    ("serious ==", "does not parse"),
    ("getattr(x, '__class__')", "only these functions"),
    ("str('__class__')", "'__'"),
])
def test_hostile_or_broken_expressions_are_refused(expression, fragment):
    problem = check_expression(expression)
    assert problem is not None and fragment in problem
    with pytest.raises(ExpressionError):
        evaluate(expression, {"x": 1, "_secret": 2})


def test_missing_variable_is_a_clear_error():
    with pytest.raises(ExpressionError, match="serious"):
        evaluate("serious == True", {})


def test_iso_literals_are_recognised():
    assert is_iso_literal("P14D") and is_iso_literal("PT12H") and is_iso_literal("R3/P1D")
    assert is_iso_literal("2027-03-01T09:00:00+01:00")
    assert not is_iso_literal("P") and not is_iso_literal("first_talk_due")


def test_date_add_counts_from_a_recorded_date():
    assert date_add("2026-11-02", "P14D").startswith("2026-11-16T00:00:00+01:00")


def test_working_days_skip_weekends_and_danish_holidays():
    # Tuesday 22 Dec 2026 + 3 working days: 23, 24, then 25-26 Dec (holidays) and the weekend -> Monday 28.
    assert working_days_after("2026-12-22T10:00:00+01:00", 3).startswith("2026-12-28T10:00:00+01:00")
    # Easter 2027: Thursday 25 Mar to Monday 29 Mar are all holidays or weekend.
    assert working_days_after("2027-03-24T09:00:00+01:00", 1).startswith("2027-03-30T09:00:00+02:00")


def test_now_follows_the_command_clock():
    moment = datetime(2027, 1, 4, 8, tzinfo=timezone.utc)
    with frozen_at(moment):
        assert evaluate("now()", {}) == moment.isoformat()
        assert evaluate("today()", {}) == "2027-01-04"


def test_a_legal_deadline_keeps_its_last_day_whole_in_danish_time():
    # LAW-1: first absence day 2 Nov; "within 14 days" ends when 16 Nov is over, at midnight in Copenhagen.
    assert deadline_after("2026-11-02", "P14D") == "2026-11-17T00:00:00+01:00"
    # Across the change to summer time the deadline is still local midnight.
    assert deadline_after("2026-03-20", "P14D") == "2026-04-04T00:00:00+02:00"
    # A date-time late in the evening UTC is already the next day in Denmark.
    assert deadline_after("2026-11-02T23:30:00+00:00", "P1D") == "2026-11-05T00:00:00+01:00"
    assert evaluate('deadline_after(first_absence_day, "P14D")', {"first_absence_day": "2026-11-02"}) \
        == "2026-11-17T00:00:00+01:00"


def test_names_read_lists_the_variables_a_condition_reads():
    assert names_read('has_other == True and defined("other_id") and len(notes) > 0') == ["other_id", "has_other", "notes"]
    assert names_read("today()") == []
