"""The expression evaluator with a bound on its work: how big a value may get, and how long it may take.

simpleeval limits the length of one sequence, not what nesting makes of it: `[[1]*99999]*99999` is a
small object whose text is ten billion characters, and `str()` of it runs for minutes. Here the size of
every value is its weight (characters of text plus items, counted through every nesting and every
shared reference), an operation whose result would weigh more than MAX_WEIGHT is refused before it
runs, and an evaluation stops after MAX_SECONDS however its work adds up (an expression is at most
2,000 characters, so its steps are few; each may still be costly). A condition in a guideline compares
a few fields; these bounds are a thousand times what one needs.
"""
from __future__ import annotations

import ast
import time
from typing import Any

from simpleeval import EvalWithCompoundTypes

MAX_WEIGHT = 100_000
MAX_SECONDS = 0.5
MAX_ROUND_DIGITS = 15  # round(x, -10**9) would compute 10**(10**9)


class TooMuchWork(Exception):
    """An expression asked for more than the evaluator's bounds allow."""


def weight(value: Any, limit: int = MAX_WEIGHT) -> int:
    """The value's size: characters of text plus items, through every nesting; stops counting past `limit`."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item) or 1
        elif isinstance(item, dict):
            total += 1 + len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1 + len(item)
            stack.extend(item)
        else:
            total += 1
    return total


def _repeat_weight(sequence: Any, times: Any) -> int:
    if isinstance(times, bool) or not isinstance(times, int):
        return 0
    return weight(sequence) * max(times, 0)


def _mult(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list, tuple)) and _repeat_weight(a, b) > MAX_WEIGHT or \
            isinstance(b, (str, list, tuple)) and _repeat_weight(b, a) > MAX_WEIGHT:
        raise TooMuchWork(f"repeating a value would make one of more than {MAX_WEIGHT:,} items or characters")
    return a * b


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list, tuple)) and isinstance(b, (str, list, tuple)) and weight(a) + weight(b) > MAX_WEIGHT:
        raise TooMuchWork(f"joining the values would make one of more than {MAX_WEIGHT:,} items or characters")
    return a + b


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, (str, bytes)):
        raise TooMuchWork("text formatting with % is not allowed in expressions")  # "%0999999999d" % 1
    return a % b


def bounded_round(number: Any, digits: Any = None) -> Any:
    """round() with at most MAX_ROUND_DIGITS digits either side of the point."""
    if digits is None:
        return round(number)
    if isinstance(digits, bool) or not isinstance(digits, int) or abs(digits) > MAX_ROUND_DIGITS:
        raise TooMuchWork(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return round(number, digits)


class BoundedEval(EvalWithCompoundTypes):
    """simpleeval's evaluator with the bounds above on every operation and every value it makes."""

    def __init__(self, names: dict[str, Any], functions: dict[str, Any]):
        super().__init__(names=names, functions=functions)
        self.operators = {**self.operators, ast.Mult: _mult, ast.Add: _add, ast.Mod: _mod}
        # The bound is on the work the expression does: this thread's CPU time, not the wall clock, which
        # under load (other threads holding the GIL, a busy machine) runs on while the expression waits.
        self._deadline = time.thread_time() + MAX_SECONDS

    def _eval(self, node):
        if time.thread_time() > self._deadline:
            raise TooMuchWork(f"the expression needs more than {MAX_SECONDS} seconds")
        result = super()._eval(node)
        if isinstance(result, (str, bytes, list, tuple, set, frozenset, dict)) and weight(result) > MAX_WEIGHT:
            raise TooMuchWork(f"the expression makes a value of more than {MAX_WEIGHT:,} items or characters")
        return result
