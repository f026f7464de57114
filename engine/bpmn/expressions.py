"""The one evaluator of gateway conditions and timer expressions in vaern.

SpiffWorkflow evaluates with Python's `eval` by default, which lets a diagram import modules. Here an
expression is first checked against a whitelist of syntax (no attributes, no dunders, calls only to
the functions below) and then evaluated by simpleeval, so a diagram stays input, not code.
"""
from __future__ import annotations

import ast
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Mapping

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.bounded_eval import BoundedEval, TooMuchWork, bounded_round
from engine.calendar import DANISH_TIME, add_working_days
from engine.clock import current_time
from engine.errors import ExpressionError

_DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?"
    r"(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$"
)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
_CYCLE = re.compile(r"^R\d*/\S+$")
WORKING_DAYS = re.compile(r"^\s*(\d+)\s+(arbejdsdage?|working days?)\s*$", re.IGNORECASE)

_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call,
    ast.Constant, ast.Name, ast.Load, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript,
    ast.Slice, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult, ast.Div,
    ast.FloorDiv, ast.Mod, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot,
)
_MAX_EXPRESSION_LENGTH = 2000
# Date arithmetic a guideline can mean, with room to spare; beyond it SpiffWorkflow counts month by month.
_MAX_DATE_YEARS = 200
_MAX_WORKING_DAYS = 10_000


def is_iso_literal(text: str) -> bool:
    """True if `text` is an ISO-8601 duration, date-time or cycle as a modeller writes it."""
    text = text.strip()
    return bool(_DURATION.match(text) or _DATETIME.match(text) or _CYCLE.match(text))


def _to_datetime(value: Any) -> datetime:
    """Read a date, datetime or ISO string as an aware datetime (a bare date is midnight, Danish time)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0), DANISH_TIME)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ExpressionError(f"'{value}' is not a date or date-time") from exc
        if len(value.strip()) == 10:
            moment = moment.replace(tzinfo=DANISH_TIME)
    else:
        raise ExpressionError(f"{value!r} is not a date or date-time")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def date_add(start: Any, duration: str) -> str:
    """ISO date-time of `start` plus an ISO-8601 duration such as 'P14D'."""
    if not isinstance(duration, str) or not _DURATION.match(duration.strip()):
        raise ExpressionError(f"'{duration}' is not an ISO-8601 duration such as P14D")
    begin = _to_datetime(start)
    parsed = TimerEventDefinition.parse_iso_duration(duration.strip())
    if parsed.get("years", 0) + parsed.get("months", 0) / 12 + parsed.get("days", 0) / 365 > _MAX_DATE_YEARS:
        raise ExpressionError(f"'{duration}' is longer than {_MAX_DATE_YEARS} years")
    try:
        return (begin + TimerEventDefinition.get_timedelta_from_start(parsed, begin)).isoformat()
    except OverflowError as exc:
        raise ExpressionError(f"{begin.date().isoformat()} plus {duration} is no date in the calendar") from exc


def date_before(moment: Any, duration: str) -> str:
    """ISO date-time an ISO-8601 duration before `moment` (a reminder '15 days before' a deadline)."""
    if not isinstance(duration, str) or not _DURATION.match(duration.strip()):
        raise ExpressionError(f"'{duration}' is not an ISO-8601 duration such as P14D")
    end = _to_datetime(moment)
    parsed = TimerEventDefinition.parse_iso_duration(duration.strip())
    if parsed.get("years", 0) + parsed.get("months", 0) / 12 + parsed.get("days", 0) / 365 > _MAX_DATE_YEARS:
        raise ExpressionError(f"'{duration}' is longer than {_MAX_DATE_YEARS} years")
    if parsed.get("years") or parsed.get("months"):
        raise ExpressionError(f"'{duration}': count a time before a moment in weeks, days or hours")
    try:
        return (end - TimerEventDefinition.get_timedelta_from_start(parsed, end)).isoformat()
    except OverflowError as exc:
        raise ExpressionError(f"{end.date().isoformat()} minus {duration} is no date in the calendar") from exc


def deadline_after(start: Any, duration: str) -> str:
    """When a legal deadline counted in days runs out: the end of the last valid day, Danish time.

    "Within 14 days of the first day of absence" keeps the 14th day whole, so the moment the
    deadline is passed is the start of the day after it (00:00 in Copenhagen), not the start of the 14th.
    """
    last_day = datetime.fromisoformat(date_add(start, duration)).astimezone(DANISH_TIME).date()
    return datetime.combine(last_day + timedelta(days=1), time(0), DANISH_TIME).isoformat()


def working_days_after(start: Any, count: Any) -> str:
    """ISO date-time `count` Danish working days after `start`."""
    if abs(int(count)) > _MAX_WORKING_DAYS:
        raise ExpressionError(f"{count} working days is more than {_MAX_WORKING_DAYS:,}")
    try:
        return add_working_days(_to_datetime(start), int(count)).isoformat()
    except OverflowError as exc:
        raise ExpressionError(f"{count} working days after {start} is no date in the calendar") from exc


def _now() -> str:
    return current_time().isoformat()


def _today() -> str:
    return current_time().astimezone(DANISH_TIME).date().isoformat()


SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "str": str, "int": int, "bool": bool, "min": min, "max": max, "abs": abs,
    "round": bounded_round, "date_add": date_add, "date_before": date_before, "deadline_after": deadline_after,
    "working_days_after": working_days_after,
    "now": _now, "today": _today,
}
_FUNCTION_NAMES = frozenset(SAFE_FUNCTIONS) | {"defined"}


def check_expression(expression: str) -> str | None:
    """Return why `expression` is not allowed, or None when it is a safe, parsable expression."""
    if expression is None or not expression.strip():
        return "the expression is empty"
    if len(expression) > _MAX_EXPRESSION_LENGTH:
        return f"the expression is longer than {_MAX_EXPRESSION_LENGTH} characters"
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        return f"the expression does not parse: {exc.msg}"
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            if isinstance(node, ast.Attribute):
                return f"attribute access ('.{node.attr}') is not allowed in expressions"
            return f"'{type(node).__name__}' is not allowed in expressions"
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"the name '{node.id}' is not allowed (names may not start with '_')"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            return "strings with '__' are not allowed in expressions"
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTION_NAMES:
                return f"only these functions may be called: {', '.join(sorted(_FUNCTION_NAMES))}"
            if node.keywords:
                return "keyword arguments are not allowed in expressions"
    if not any(isinstance(node, ast.Name) and node.id not in _FUNCTION_NAMES for node in ast.walk(tree)):
        # It reads no case data, so its work is known now: refuse it here rather than when a case meets it.
        try:
            BoundedEval(names={}, functions=dict(SAFE_FUNCTIONS)).eval(expression.strip())
        except TooMuchWork as exc:
            return f"it asks for too much work: {exc}"
        except Exception:  # any other failure (1/0, now() outside a command) shows when a case evaluates it
            pass
    return None


def names_read(expression: str) -> list[str]:
    """The variable names an allowed expression reads, in order (function names left out)."""
    try:
        tree = ast.parse((expression or "").strip(), mode="eval")
    except SyntaxError:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called:
            found.setdefault(node.id, None)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "defined" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.setdefault(node.args[0].value, None)
    return list(found)


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate an allowed expression against `names`; an ISO literal evaluates to itself."""
    text = (expression or "").strip()
    if (is_iso_literal(text) or WORKING_DAYS.match(text)) and text not in names:
        return text
    problem = check_expression(text)
    if problem:
        raise ExpressionError(f"{problem}: {text!r}")
    functions = dict(SAFE_FUNCTIONS)
    functions["defined"] = lambda name: name in names
    evaluator = BoundedEval(names=dict(names), functions=functions)
    try:
        return evaluator.eval(text)
    except ExpressionError:
        raise
    except TooMuchWork as exc:
        raise ExpressionError(f"{text!r} asks for too much work: {exc}") from exc
    except Exception as exc:  # simpleeval's own errors and arithmetic on bad data
        raise ExpressionError(f"cannot evaluate {text!r}: {exc}") from exc


def working_days_as_duration(text: str) -> str:
    """'2 arbejdsdage' as the ISO duration from now to two Danish working days later (PT…S)."""
    count = int(WORKING_DAYS.match(text).group(1))
    start = current_time()
    return f"PT{int((add_working_days(start, count) - start).total_seconds())}S"


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow environment that evaluates through `evaluate` and refuses scripts.

    A timer duration may be written in working days ("2 arbejdsdage"); for the diagram's timer
    expressions such a value becomes the ISO duration to that many Danish working days from now.
    """

    def __init__(self, timer_expressions: frozenset[str] = frozenset()):
        super().__init__()
        self.timer_expressions = timer_expressions

    def evaluate(self, expression, context, external_context=None):
        names = dict(external_context or {})
        names.update(context)
        value = evaluate(expression, names)
        if expression in self.timer_expressions and isinstance(value, str) and WORKING_DAYS.match(value):
            return working_days_as_duration(value)
        return value

    def execute(self, script, context, external_context=None):
        raise ExpressionError("scripts are not allowed in vaern diagrams")

    def call_service(self, context, **kwargs):
        raise ExpressionError("service calls are not allowed in vaern diagrams")


def restricted_script_engine(timer_expressions: frozenset[str] = frozenset()) -> PythonScriptEngine:
    """A SpiffWorkflow script engine whose only evaluator is the restricted one."""
    return PythonScriptEngine(environment=RestrictedEnvironment(timer_expressions))
