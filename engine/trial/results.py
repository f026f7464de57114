"""What a trial of a draft returns: plain data, no rows."""
from __future__ import annotations

from dataclasses import dataclass

from engine.bpmn.migration import MigrationCheck


@dataclass(frozen=True)
class RouteFigures:
    """How long the simulated cases that ended one way took, in simulated days."""

    route: str              # the end event(s) reached, by name ("" for cases that did not close)
    serious: bool           # the cases were serious ones (they take the guideline's other way)
    cases: int
    shortest_days: float | None
    median_days: float | None
    longest_days: float | None


@dataclass(frozen=True)
class TrialFinding:
    """One thing a simulated case met: where (element ids, names) and the simulator's own sentence."""

    case: int
    element_ids: tuple[str, ...]
    names: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class BehaviourTrial:
    """The simulated cases of the draft under one behaviour (everyone acts, parties silent, nobody acts …)."""

    behaviour: str
    cases: int
    closed: int
    stalled: tuple[TrialFinding, ...]    # cases that would stop or fall quiet where they should not
    unstaffed: tuple[TrialFinding, ...]  # tasks with nobody in the organisation to do them
    other: tuple[TrialFinding, ...]
    routes: tuple[RouteFigures, ...]


@dataclass(frozen=True)
class DryRun:
    """A draft run by simulated people on the real organisation in a throwaway database."""

    kind: str
    unit: str | None
    seconds: float
    behaviours: tuple[BehaviourTrial, ...]
    refused: tuple[str, ...] = ()

    @property
    def problems(self) -> int:
        """How many findings would need the process owner's attention."""
        return sum(len(b.stalled) + len(b.unstaffed) + len(b.other) for b in self.behaviours) + len(self.refused)


@dataclass(frozen=True)
class CaseMoves:
    """The open cases of a kind, each with whether it could move to the draft and what stops it."""

    to_version: int                 # the number the draft would get when deployed
    checks: tuple[MigrationCheck, ...]
    more: bool                      # more open cases than were checked

    @property
    def movable(self) -> tuple[MigrationCheck, ...]:
        """The cases nothing stops."""
        return tuple(c for c in self.checks if c.allowed)

    @property
    def blocked(self) -> tuple[MigrationCheck, ...]:
        """The cases something stops, with their blockers."""
        return tuple(c for c in self.checks if not c.allowed)
