"""Loading a case for a command or a read: its row, its parsed diagram and its workflow.

A workflow this process saved at exactly the case's stored version is taken from the cache instead of
being deserialized. A command takes it out (a command that fails half-way never leaves a half-changed
workflow behind) and its save keeps the new one; a read borrows it in a `with` block that puts it back.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import bindparam, select

from engine.bpmn.cache import WorkflowCache
from engine.bpmn.definitions import ParsedDefinition, SpecCache
from engine.bpmn.workflow import CaseTask, CaseWorkflow
from engine.cases import store
from engine.errors import CaseNotFound, TaskNotFound, TaskNotOpen
from engine.models import Case, Definition, Task
from engine.org.snapshot import ORG_REVISION
from engine.unit_of_work import UnitOfWork

# A task's case (with its definition) and the task's title and state, in one query built once.
# The organisation's revision comes along, so checking this process's org snapshot costs no query of its own.
_TASK_WITH_CASE = (select(Case, Task.title, Task.state, ORG_REVISION.scalar_subquery())
                   .join(Task, Task.case_id == Case.id).where(Task.id == bindparam("task_id")))
# The same for a command that changes the case: its row stays locked until the command ends (store.lock_case).
_TASK_WITH_LOCKED_CASE = _TASK_WITH_CASE.with_for_update(of=Case)


@dataclass
class LoadedCase:
    """A case as a command works on it: the row, the diagram version it runs and its workflow."""

    case: Case
    parsed: ParsedDefinition
    workflow: CaseWorkflow


class CaseLoader:
    """Cases with their diagrams and workflows, through this process's spec and workflow caches."""

    def __init__(self, specs: SpecCache, workflows: WorkflowCache):
        self.specs = specs
        self._workflows = workflows

    def parsed(self, definition: Definition) -> ParsedDefinition:
        """The parsed diagram of a deployed version (the XML column is read only when not parsed yet)."""
        return self.specs.get(definition.content_hash, lambda: definition.xml, definition.filename)

    def load_case(self, uow: UnitOfWork, case_id: int, lock: bool = True) -> LoadedCase:
        """The case with its workflow; a command locks the row first (lock=False: a read of it as it stands)."""
        case = store.lock_case(uow.session, case_id) if lock else store.get_case(uow.session, case_id)
        return self.with_workflow(uow, case)

    def with_workflow(self, uow: UnitOfWork, case: Case) -> LoadedCase:
        """The workflow of a case row this command already holds, taken out of the cache or deserialized."""
        if case.status == "purged":  # its state is gone: no command can act on it, and none may learn more
            raise CaseNotFound(f"no case with id {case.id}")
        parsed = self.parsed(case.definition)
        workflow, projection = self._take(case, parsed)
        # The rows the case has now, so its save writes only what changed.
        uow.loaded[case.id] = projection if projection is not None else store.project(case.id, workflow)
        return LoadedCase(case, parsed, workflow)

    def load_task(self, uow: UnitOfWork, task_id: str, lock: bool = True) -> tuple[LoadedCase, CaseTask]:
        """The open task's case (loaded as `load_case` does) and the task; TaskNotFound / TaskNotOpen if not."""
        parameters = {"task_id": task_id}
        found = (store.execute_locked(uow.session, _TASK_WITH_LOCKED_CASE, parameters) if lock
                 else uow.session.execute(_TASK_WITH_CASE, parameters)).first()
        if found is None:
            raise TaskNotFound(f"no task with id '{task_id}'")
        uow.org_revision = found[3] or ""
        loaded = self.with_workflow(uow, found[0])
        task = loaded.workflow.find_task(task_id)
        if task is None or task.state != "READY" or task.meta is None:
            self.put_back(uow, loaded)
            title, state = found[1], found[2]
            raise TaskNotOpen(f"the task '{title}' is already {state if state != 'open' else 'done'}")
        return loaded, task

    @contextmanager
    def reading_task(self, uow: UnitOfWork, task_id: str) -> Iterator[tuple[LoadedCase, CaseTask]]:
        """An open task and its case for reading; the workflow goes back to the cache when the block ends."""
        loaded, task = self.load_task(uow, task_id, lock=False)
        try:
            yield loaded, task
        finally:
            self.put_back(uow, loaded)

    @contextmanager
    def reading(self, case: Case) -> Iterator[CaseWorkflow]:
        """The case's workflow to read without changing it: the cached one when this process has it at the
        case's version (taken out meanwhile, so no command changes it under the reader), else deserialized;
        kept for the next command on the case when the block ends."""
        workflow, projection = self._take(case, self.parsed(case.definition))
        try:
            yield workflow
        finally:
            self._workflows.put_back(case.id, case.version, (workflow, projection))

    def put_back(self, uow: UnitOfWork, loaded: LoadedCase) -> None:
        """Return a workflow a command only read, so the next command on the case need not deserialize it."""
        self._workflows.put_back(loaded.case.id, loaded.case.version,
                                 (loaded.workflow, uow.loaded.get(loaded.case.id)))

    def forget(self, case_id: int) -> None:
        """Drop this process's copy of a case's workflow (a purge leaves none in memory)."""
        self._workflows.take(case_id, -1)

    def _take(self, case: Case, parsed: ParsedDefinition):
        # The (workflow, projection or None) saved at the case's version, out of the cache, or deserialized.
        entry = self._workflows.take(case.id, case.version)
        return entry if entry is not None else (CaseWorkflow.loads(case.state, parsed), None)
