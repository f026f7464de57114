"""What a timer in a guideline can mean: the longest wait and the shortest repeat, as named settings.

A diagram is input, and a process owner's slip (`P99999999Y`, `R/PT0S`) must not hang the engine or
flood people with notices. `vaern check` and deployment refuse timers outside these limits, naming the
element; the same limits guard every timer value the engine meets while a case runs, so a duration that
only a case's data makes too long is refused there too, with a clear error instead of a stuck process.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.expressions import WORKING_DAYS

_APPROXIMATE_DAYS = {"years": 365.25, "months": 30.44, "weeks": 7, "days": 1}
DEFAULT_MAX_DURATION = "P5Y"   # VAERN_MAX_TIMER_DURATION: as long as a closed case is kept (LAW-8)
DEFAULT_MIN_CYCLE = "PT1H"     # VAERN_MIN_TIMER_CYCLE: a repeating reminder at most every hour


def duration_seconds(text: str) -> float:
    """An ISO-8601 duration's length in seconds, months and years at their average length; ValueError if bad."""
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text.strip())
    except Exception as exc:  # Spiff raises a bare Exception for a bad duration
        raise ValueError(f"'{text}' is not an ISO-8601 duration such as P14D") from exc
    days = sum(parsed.get(unit, 0) * factor for unit, factor in _APPROXIMATE_DAYS.items())
    return days * 86400 + parsed.get("hours", 0) * 3600 + parsed.get("minutes", 0) * 60 + parsed.get("seconds", 0)


@dataclass(frozen=True)
class TimerLimits:
    """The longest a timer may wait and the shortest interval a repeating timer may have."""

    max_duration: str = DEFAULT_MAX_DURATION
    min_cycle: str = DEFAULT_MIN_CYCLE
    max_seconds: float = field(init=False)
    min_cycle_seconds: float = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "max_seconds", duration_seconds(self.max_duration))
        object.__setattr__(self, "min_cycle_seconds", duration_seconds(self.min_cycle))

    def duration_problem(self, text: str) -> str | None:
        """Why a timer duration (ISO-8601 or "N arbejdsdage") is out of bounds, or None."""
        working = WORKING_DAYS.match(text)
        seconds = int(working.group(1)) * 7 / 5 * 86400 if working else duration_seconds(text)
        if seconds > self.max_seconds:
            return (f"it waits longer than the longest wait a guideline can mean ({self.max_duration}, "
                    "the setting VAERN_MAX_TIMER_DURATION)")
        return None

    def cycle_problem(self, text: str) -> str | None:
        """Why a repeating timer (R3/P1D, R/PT1H, R/2027-01-01T09:00:00+01:00/P1D) is out of bounds, or None."""
        parts = text.strip().upper().lstrip("R").split("/")
        repetitions = parts[0]
        if repetitions and not repetitions.isdigit():
            return "a cycle starts with R and a number of repetitions, like R3/P1D"
        durations = [part for part in parts[1:] if part.startswith("P")]
        if len(durations) != 1:
            return "a cycle needs exactly one interval, like R3/P1D"
        interval = duration_seconds(durations[0])
        if interval < self.min_cycle_seconds:
            return (f"it repeats more often than a guideline can mean (at most every {self.min_cycle}, "
                    "the setting VAERN_MIN_TIMER_CYCLE)")
        return self.duration_problem(durations[0])

    def date_problem(self, moment: datetime, now: datetime) -> str | None:
        """Why a timer date is out of bounds (further ahead than the longest wait), or None."""
        if moment - now > timedelta(seconds=self.max_seconds):
            return (f"it falls due {moment.date().isoformat()}, later than the longest wait a guideline can mean "
                    f"({self.max_duration}, the setting VAERN_MAX_TIMER_DURATION)")
        return None
