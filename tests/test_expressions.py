"""The restricted evaluator: what a diagram may and may not say."""
from datetime import datetime, timezone

import pytest

from engine.clock import frozen_at
from engine.errors import ExpressionError
from engine.expressions import check_expression, date_add, evaluate, is_iso_literal, working_days_after


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
