"""What the modelling service returns: plain data, no rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.errors import ConcurrentUpdate, Problem


@dataclass(frozen=True)
class Edition:
    """What an editor opens or saved: the deployed newest version, or the person's own draft of it."""

    kind: str
    xml: str
    content_hash: str          # the hash the next save must name as its base
    base_version: int          # the deployed version the edit started from
    base_hash: str
    is_draft: bool
    saved_at: datetime | None  # when the draft was saved, or when the version was deployed
    saved_by: str | None


@dataclass(frozen=True)
class SavedDraft:
    """A saved draft and every problem `vaern check` finds in it (empty: it could be deployed)."""

    edition: Edition
    problems: tuple[Problem, ...]


class DraftConflict(ConcurrentUpdate):
    """The draft was saved against a base that is no longer what the server holds; nothing was saved."""

    def __init__(self, based_on: str, current: Edition, newest_version: int):
        self.based_on = based_on
        self.current = current
        self.newest_version = newest_version
        super().__init__(f"the edit was based on {based_on[:12]}, but the server holds {current.content_hash[:12]}")
