"""The unit of work: one transaction, and what a command gathers in it until it commits.

Every public call of the engine opens one (`with units() as uow:`), does its reads and writes through
`uow.session`, and ends with `uow.commit()` or leaves without (a rollback). What a command collects on
the way is held here as typed attributes, not in the session: the rows queued for the commit, the rows
each loaded case had (so its save writes only the difference), the organisation snapshot it resolved
roles in, and the workflows it saved (kept for the next command once, and only if, this one commits).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.cache import WorkflowCache
from engine.cases.writes import RowQueue, flush
from engine.org.snapshot import OrgCache, OrgSnapshot


@dataclass(frozen=True)
class KeptWorkflow:
    """A workflow a command saved, to be cached at its new version when the command commits."""

    case_id: int
    version: int
    workflow: Any
    projection: Any


class UnitOfWork:
    """One transaction: `with uow:` opens a session, `uow.commit()` commits, leaving without it rolls back."""

    def __init__(self, sessions: sessionmaker[Session], org_cache: OrgCache, workflows: WorkflowCache,
                 after_commit: Callable[[], None]):
        self._sessions = sessions
        self._org_cache = org_cache
        self._workflows = workflows
        self._after_commit = after_commit
        self.session: Session | None = None
        self.queued = RowQueue()
        # Case id -> the task, candidate, timer and fact rows the case had when this command loaded it.
        self.loaded: dict[int, Any] = {}
        # The organisation's revision when a query already brought it along (saves the snapshot's own query).
        self.org_revision: str | None = None
        self._org: OrgSnapshot | None = None
        self._kept: list[KeptWorkflow] = []

    def __enter__(self) -> "UnitOfWork":
        self.session = self._sessions()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self.session is not None
        self.session.rollback()
        self.session.close()
        self.session = None
        self.queued.clear()
        self._kept.clear()

    @property
    def org(self) -> OrgSnapshot:
        """The organisation as this transaction sees it, looked up once: every resolution in the command agrees."""
        if self._org is None:
            self._org = self._org_cache.current(self.session, self.org_revision)
        return self._org

    def reload_org(self) -> None:
        """Forget the snapshot this command used: it changed the organisation and resolves roles in the new one."""
        self._org = None
        self.org_revision = None

    def keep_workflow(self, case_id: int, version: int, workflow, projection) -> None:
        """Keep a saved workflow for the next command on the case, once this one has committed."""
        self._kept.append(KeptWorkflow(case_id, version, workflow, projection))

    def commit(self) -> None:
        """Write what is queued, commit, and only then keep the saved workflows and tell the listeners."""
        assert self.session is not None
        flush(self.session.connection(), self.queued)
        self.session.commit()
        for kept in self._kept:
            self._workflows.put(kept.case_id, kept.version, (kept.workflow, kept.projection))
        self._kept.clear()
        self._after_commit()


class UnitsOfWork:
    """Makes the units of work of one engine: the sessions, caches and commit listeners they share."""

    def __init__(self, sessions: sessionmaker[Session], org_cache: OrgCache, workflows: WorkflowCache):
        self.sessions = sessions
        self.org_cache = org_cache
        self.workflows = workflows
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        return UnitOfWork(self.sessions, self.org_cache, self.workflows, self._committed)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after every committed unit of work (a scheduler re-arms its wake-up there)."""
        self._listeners.append(callback)

    def _committed(self) -> None:
        for callback in list(self._listeners):
            callback()
