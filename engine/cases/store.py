"""Saving a case: its serialized workflow under a version check, and the task, candidate, timer and
party rows brought in line with it; the event log. Never commits; the service layer owns the transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.bpmn.workflow import CaseWorkflow
from engine.cases import writes
from engine.cases.writes import Change
from engine.clock import as_utc
from engine.db import begin_writing
from engine.errors import CaseNotFound, ConcurrentUpdate
from engine.figures.facts import fact_row
from engine.models import Case, CaseFact, CaseParty, Event, Task, TaskCandidate, Timer
from engine.unit_of_work import UnitOfWork

# Statements on the tables, not the mapped classes: the hot path skips the ORM's bulk machinery.
_CASE, _EVENT, _TASK = Case.__table__, Event.__table__, Task.__table__
_CANDIDATE, _TIMER, _PARTY = TaskCandidate.__table__, Timer.__table__, CaseParty.__table__
_FACT = CaseFact.__table__

SYSTEM = "system"  # the actor of what the engine does by itself (timers, assignment, notices)
_TASK_STATE_NAMES = {"READY": "open", "COMPLETED": "completed", "CANCELLED": "cancelled", "ERROR": "error"}


def get_case(session: Session, case_id: int) -> Case:
    """The case's row; CaseNotFound if there is none."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case with id {case_id}")
    return case


def lock_case(session: Session, case_id: int, skip_locked: bool = False) -> Case | None:
    """The case's row, locked until this command ends, as the last command on it saved it.

    Commands on one case run one after the other: a second one waits here until the first has committed,
    then loads what it saved, so people doing different tasks of one case never undo each other's work.
    With `skip_locked` (PostgreSQL), None when another command holds the case; CaseNotFound if there is none.
    """
    query = select(Case).where(Case.id == case_id).with_for_update(of=Case, skip_locked=skip_locked)
    case = execute_locked(session, query.execution_options(populate_existing=True)).scalar()
    if case is None and not skip_locked:
        raise CaseNotFound(f"no case with id {case_id}")
    return case


def execute_locked(session: Session, statement, parameters: dict[str, Any] | None = None):
    """Run a statement that selects case rows `FOR UPDATE OF case`, as the command's first read.

    PostgreSQL locks the rows it returns; SQLite, which ignores FOR UPDATE, takes its write lock first.
    """
    begin_writing(session.connection())
    return session.execute(statement, parameters or {})


def record(uow: UnitOfWork, now: datetime, actor: str, action: str, case_id: int | None = None,
           task_id: str | None = None, **details: Any) -> None:
    """Append one row to the event log; the rows of a command are written together, with its save or commit."""
    uow.queued.add(_EVENT, [{"at": now, "actor": actor, "action": action, "case_id": case_id, "task_id": task_id,
                             "details": details}])


def save_case(uow: UnitOfWork, case: Case, workflow: CaseWorkflow, values: dict[str, Any], now: datetime) -> int:
    """Write the case's state and flags if nobody saved it since it was loaded, with its other rows.

    Returns the new version; the workflow is kept for the next command once this one commits. Raises
    ConcurrentUpdate, changing nothing, when the stored version is no longer the one this command loaded.
    Rows of a case this command did not load (or chose to forget) are rewritten whole.
    """
    new_version = case.version + 1
    after = project(case.id, workflow)
    before = uow.loaded.pop(case.id, None)
    changes = projection_changes(case.id, before, after)
    if "parties" in values and values["parties"] != case.parties:
        changes += party_changes(case.id, case.parties, values["parties"])
    set_values = {"state": workflow.dumps(), "version": new_version, "updated_at": now, **values}
    connection = uow.session.connection()
    if before is None:
        # Rows of unknown shape: clear them first (a statement of their own, never mixed with inserts).
        for statement in _DELETE_ALL:
            connection.execute(statement, {"case_id": case.id})
    if not writes.save(connection, uow.queued, _CASE, {"id": case.id}, case.version, set_values, changes):
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload it and try again")
    uow.keep_workflow(case.id, new_version, workflow, after)
    return new_version


def party_changes(case_id: int, old: dict[str, str], new: dict[str, str]) -> list[Change]:
    """The case_party rows to add, change and remove (employee_id -> role 'employee', …)."""
    def rows(parties: dict[str, str]) -> dict[str, dict[str, Any]]:
        return {key: {"case_id": case_id, "role": key.removesuffix("_id"), "person_id": person}
                for key, person in parties.items()}

    return _diff(_PARTY, rows(old), rows(new))


@dataclass(frozen=True)
class Projection:
    """The task, candidate, timer and case_fact rows a workflow stands for, keyed as in their tables."""

    tasks: dict[str, dict[str, Any]]
    candidates: frozenset[tuple[str, str]]  # (task id, person id)
    timers: dict[str, dict[str, Any]]
    facts: dict[int, dict[str, Any]] = field(default_factory=dict)


def project(case_id: int, workflow: CaseWorkflow) -> Projection:
    """The rows the case's task, task_candidate, timer and case_fact tables should hold for this workflow."""
    tasks, candidates = {}, set()
    history, pending = workflow.history_and_timers()  # one walk of the task tree for tasks and timers alike
    for task in history:
        meta = task.meta
        if meta is None:
            continue  # a task cancelled before anyone was assigned to it
        state = _TASK_STATE_NAMES[task.state]
        task_id = task.id
        tasks[task_id] = {
            "id": task_id, "case_id": case_id, "spec_id": task.spec_id, "title": task.title or task.spec_id,
            "role": meta.role, "unit_id": meta.unit, "assignee_id": meta.assignee, "state": state,
            "due_at": _parse(meta.due_at), "created_at": _parse(meta.created_at),
            "completed_at": _parse(meta.completed_at), "completed_by": meta.completed_by,
        }
        if state == "open":
            candidates.update((task_id, person) for person in meta.candidates)
    timers = {t.task_id: {"id": t.task_id, "case_id": case_id, "spec_id": t.spec_id, "due_at": t.due_at}
              for t in pending}
    facts = {case_id: fact_row(case_id, workflow.case_data())}
    return Projection(tasks, frozenset(candidates), timers, facts)


def projection_changes(case_id: int, before: Projection | None, after: Projection) -> list[Change]:
    """The writes that bring the case's rows from `before` (what is stored; None: nothing) to `after`.

    Only the difference: completing a task updates its row, drops its candidates and adds the next
    task, instead of rewriting every row the case ever had. Candidates go before the tasks they
    belong to and come after them, as their foreign key needs.
    """
    before = before or Projection({}, frozenset(), {})

    def candidate_rows(pairs: frozenset[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(t, p): {"task_id": t, "person_id": p, "case_id": case_id} for t, p in sorted(pairs)}

    candidates = _diff(_CANDIDATE, candidate_rows(before.candidates), candidate_rows(after.candidates))
    return [*(c for c in candidates if c.kind == "delete"), *_diff(_TASK, before.tasks, after.tasks),
            *_diff(_TIMER, before.timers, after.timers), *(c for c in candidates if c.kind == "insert"),
            *_diff(_FACT, before.facts, after.facts)]


def _diff(table, old: dict[Any, dict[str, Any]], new: dict[Any, dict[str, Any]]) -> list[Change]:
    """Deletes, updates and inserts turning rows `old` into `new`, both keyed by primary key."""
    keys = [c.name for c in table.primary_key.columns]
    removed = [{name: old[key][name] for name in keys} for key in sorted(old.keys() - new.keys())]
    changed = [row for key, row in new.items() if key in old and old[key] != row]
    added = [row for key, row in new.items() if key not in old]
    return [Change(kind, table, tuple(rows))
            for kind, rows in (("delete", removed), ("update", changed), ("insert", added)) if rows]


_DELETE_ALL = tuple(delete(t).where(t.c.case_id == bindparam("case_id")) for t in (_CANDIDATE, _TASK, _TIMER, _FACT))


def _parse(value: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if value else None
