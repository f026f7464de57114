"""The evaluator's bounds on its work, one by one: repetition, joining, formatting, rounding, time."""
from __future__ import annotations

import pytest

import engine.bpmn.bounded_eval as bounded
from engine.bpmn.expressions import check_expression, evaluate
from engine.errors import ExpressionError


@pytest.mark.parametrize("expression, names", [
    ("len(str([[1]*99999]*99999)) > 0", {}),
    ("len(str([[x]*size]*size)) > 0", {"x": 1, "size": 99999}),
    ("len(text * 1000000) > 0", {"text": "abc"}),
    ("len(items + items) > 0", {"items": [0] * 60_000}),
    ("len('%0999999999d' % 1) > 0", {}),
    ("round(n, -999999999) == 0", {"n": 5}),
])
def test_too_much_work_is_refused_before_it_is_done(expression, names):
    with pytest.raises(ExpressionError, match="too much work"):
        evaluate(expression, names)


def test_what_reads_no_case_data_is_refused_when_checked():
    assert "too much work" in check_expression("len(str([[1]*99999]*99999)) > 0")
    assert check_expression("len(str([[x]*99999]*99999)) > 0") is None  # depends on data: refused when run


def test_ordinary_expressions_are_untouched():
    assert evaluate("kind in ['bullying', 'sexism'] and severity * 2 >= 6", {"kind": "sexism", "severity": 3})
    assert evaluate("len(description + ' ' + location)", {"description": "x" * 20_000, "location": "Stue 3"}) == 20_007
    assert evaluate("year % 2 == 0", {"year": 2026}) and evaluate("round(2.567, 2)", {}) == 2.57


def test_an_evaluation_stops_when_its_time_is_up(monkeypatch):
    # Each step costs a tenth of a second of this thread's CPU time: the bound ends the evaluation.
    ticks = iter(range(1000))
    monkeypatch.setattr(bounded.time, "thread_time", lambda: next(ticks) * 0.1)
    with pytest.raises(ExpressionError, match="more than 0.5 seconds"):
        evaluate("a + a + a + a + a + a + a + a", {"a": 1})


def test_time_spent_waiting_for_other_threads_does_not_count(monkeypatch):
    # Under load the wall clock runs on while the expression waits for the GIL; only its own CPU time counts.
    wall = iter(range(1000))
    monkeypatch.setattr(bounded.time, "perf_counter", lambda: next(wall) * 10.0)
    assert evaluate("a + a + a + a + a + a + a + a", {"a": 1}) == 8
