"""Workflows this process saved, kept by case id and version so the next command skips deserializing.

Correct across processes by construction: an entry is used only when the case's stored version is the
one it was saved at, so a save by any other process makes it stale and it is simply not used.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class WorkflowCache:
    """A small LRU of (case id -> (version, workflow))."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[int, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        """Remove and return the workflow saved at exactly `version`, or None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is None or entry[0] != version:
            return None
        return entry[1]

    def put_back(self, case_id: int, version: int, workflow) -> None:
        """Return a workflow that was only read, unless a newer one was saved meanwhile."""
        if self.size <= 0:
            return
        with self._lock:
            if case_id not in self._entries:
                self._store(case_id, version, workflow)

    def put(self, case_id: int, version: int, workflow) -> None:
        """Remember a workflow just committed at `version`."""
        if self.size <= 0:
            return
        with self._lock:
            self._store(case_id, version, workflow)

    def _store(self, case_id: int, version: int, workflow) -> None:
        self._entries[case_id] = (version, workflow)
        self._entries.move_to_end(case_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
