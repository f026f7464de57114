"""Typed errors of the engine; the web and the CLI translate them for people."""
from __future__ import annotations

from dataclasses import dataclass


class VaernError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram: where it is and what is wrong, in a plain sentence."""

    file: str
    line: int | None
    element_id: str | None
    message: str
    name: str | None = None  # the element's name as the diagram shows it, so a reader finds it without the id
    hint: str | None = None  # what to write instead, where the mistake is a known habit (`${x}`, `true`, "Leder")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        element = f" [{self.element_id}]" if self.element_id else ""
        name = f" ({self.name})" if self.name else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{element}{name}: {self.message}{hint}"


class DefinitionError(VaernError):
    """A diagram cannot be deployed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the diagram:\n{lines}")


class ExpressionError(VaernError):
    """An expression is not allowed or cannot be evaluated."""


class NotFound(VaernError):
    """Something asked for by id does not exist."""


class UnknownCaseKind(NotFound):
    """No diagram is deployed for this case kind."""


class UnknownUnit(NotFound):
    """No unit has this id."""


class UnknownPerson(NotFound):
    """No person has this id."""


class CaseNotFound(NotFound):
    """No case has this id."""


class TaskNotFound(NotFound):
    """No task has this id."""


class NotAllowed(VaernError):
    """The user may not do this (the task is not theirs, or the role does not allow it)."""


class TaskNotOpen(VaernError):
    """The task is already completed or cancelled."""


class ConcurrentUpdate(VaernError):
    """Someone else changed the case first; nothing was saved, reload and try again."""


class InvalidInput(VaernError):
    """Form values or other input failed validation; `errors` maps field id to message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"invalid input: {detail}")


class OrganisationError(VaernError):
    """An organisation file is inconsistent (cycle, duplicate id, unknown parent …)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("organisation file rejected:\n" + "\n".join(f"  {p}" for p in self.problems))


class CodeNotRecognised(NotFound):
    """An anonymous writer's code finds no report: the same answer whether it was wrong or missing."""


class TooManyAttempts(VaernError):
    """Too many wrong codes from this client (or from all together) in the window: wait before trying again."""


class AnonymousChannelClosed(VaernError):
    """The anonymous channel has no handlers' key configured (`vaern anonymous keygen`), so it takes no reports."""
class SyncStopped(VaernError):
    """A directory sync would remove more of the organisation than allowed; nothing was changed.

    `diff` is what it would have done, so the caller can show it and ask before trying again with leave to.
    """

    def __init__(self, diff, limit: float):
        self.diff = diff
        self.limit = limit
        super().__init__(f"the sync would remove {diff.removed_share:.0%} of the organisation, more than the "
                         f"{limit:.0%} allowed")


class SignInRefused(VaernError):
    """A single sign-on log-in names nobody who may log in; `reason` says why (a key, for the page's text)."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"sign-in refused: {reason}{': ' + detail if detail else ''}")
