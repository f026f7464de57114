"""The limits on timers, held while cases run: a timer value a case's data makes out of bounds is refused.

`vaern check` refuses a literal `P99999999Y`; this catches what only a running case produces, such as
`date_add(first_absence_day, accident_report_deadline)` with a first absence day in the year 9999, or a
duration read from a case variable. The command then fails with a clear error and saves nothing, instead
of SpiffWorkflow counting months for hours or a zero-second cycle spinning a sweep forever.
"""
from __future__ import annotations

from datetime import datetime, timezone

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.bpmn.expressions import RestrictedEnvironment
from engine.bpmn.limits import TimerLimits
from engine.clock import current_time
from engine.errors import ExpressionError


def timer_value_problem(value: str, limits: TimerLimits, now: datetime) -> str | None:
    """Why a timer's evaluated value (duration, cycle or date-time) may not be used, or None."""
    text = value.strip()
    try:
        if text.upper().startswith("R"):
            return limits.cycle_problem(text)
        if text.upper().startswith("P"):
            return limits.duration_problem(text)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        return str(exc)
    return limits.date_problem(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc), now)


class GuardedEnvironment(RestrictedEnvironment):
    """The restricted environment, with every timer value it gives held to the installation's limits."""

    def __init__(self, timer_expressions: frozenset[str], limits: TimerLimits):
        super().__init__(timer_expressions)
        self.limits = limits

    def evaluate(self, expression, context, external_context=None):
        value = super().evaluate(expression, context, external_context)
        if expression in self.timer_expressions and isinstance(value, str):
            problem = timer_value_problem(value, self.limits, current_time())
            if problem:
                raise ExpressionError(f"the timer {expression!r} gives {value!r}, and {problem}")
        return value


def guarded_script_engine(timer_expressions: frozenset[str], limits: TimerLimits) -> PythonScriptEngine:
    """A SpiffWorkflow script engine: the restricted evaluator, with timers held to `limits`."""
    return PythonScriptEngine(environment=GuardedEnvironment(timer_expressions, limits))
