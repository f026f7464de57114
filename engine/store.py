"""Saving a case: its serialized workflow under a version check, and the task, candidate and timer
rows brought in line with it. Never commits; the service layer owns the transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, update
from sqlalchemy.orm import Session

from . import workflow as wf_ops
from .clock import as_utc
from .errors import ConcurrentUpdate
from .models import Case, CaseParty, Event, Task, TaskCandidate, Timer

# Statements on the tables, not the mapped classes: the hot path skips the ORM's bulk machinery.
_CASE, _EVENT, _TASK = Case.__table__, Event.__table__, Task.__table__
_CANDIDATE, _TIMER, _PARTY = TaskCandidate.__table__, Timer.__table__, CaseParty.__table__

SYSTEM = "system"  # the actor of what the engine does by itself (timers, assignment, notices)
_TASK_STATE_NAMES = {"READY": "open", "COMPLETED": "completed", "CANCELLED": "cancelled", "ERROR": "error"}


_PENDING_EVENTS = "vaern_pending_events"
_LOADED_PROJECTIONS = "vaern_loaded_projections"


def record(session: Session, now: datetime, actor: str, action: str, case_id: int | None = None,
           task_id: str | None = None, **details: Any) -> None:
    """Append one row to the event log; the rows of a command are written together at its commit."""
    session.info.setdefault(_PENDING_EVENTS, []).append(
        {"at": now, "actor": actor, "action": action, "case_id": case_id, "task_id": task_id, "details": details})


def flush_events(session: Session) -> None:
    """Write the command's event rows in one statement (called just before every commit)."""
    pending = session.info.pop(_PENDING_EVENTS, None)
    if pending:
        session.execute(insert(_EVENT), pending)


def forget_events(session: Session, *_args) -> None:
    """Drop unwritten event rows when a command rolls back."""
    session.info.pop(_PENDING_EVENTS, None)


def remember_loaded(session: Session, case_id: int, projection: "Projection") -> None:
    """Note the rows a loaded case has in the database now, so its save writes only what changed."""
    session.info.setdefault(_LOADED_PROJECTIONS, {})[case_id] = projection


def save_case(session: Session, case: Case, workflow, values: dict[str, Any], now: datetime) -> tuple[int, "Projection"]:
    """Write the case's state and flags if nobody saved it since it was loaded; update projections.

    Returns the new version and the projection now stored. Raises ConcurrentUpdate, changing
    nothing, when the stored version is no longer the one this command loaded.
    """
    new_version = case.version + 1
    connection = session.connection()
    result = connection.execute(
        update(_CASE)
        .where(_CASE.c.id == case.id, _CASE.c.version == case.version)
        .values(state=wf_ops.dumps(workflow), version=new_version, updated_at=now, **values)
    )
    if result.rowcount != 1:
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload it and try again")
    after = project(case.id, workflow)
    write_projection(connection, case.id, session.info.get(_LOADED_PROJECTIONS, {}).pop(case.id, None), after)
    if "parties" in values and values["parties"] != case.parties:
        rebuild_parties(session, case.id, values["parties"])
    return new_version, after


def rebuild_parties(session: Session, case_id: int, parties: dict[str, str]) -> None:
    """Replace the case's party rows (employee_id -> role 'employee', …)."""
    session.execute(delete(_PARTY).where(_PARTY.c.case_id == case_id))
    if parties:
        session.execute(insert(_PARTY), [{"case_id": case_id, "role": key.removesuffix("_id"), "person_id": person}
                                            for key, person in parties.items()])


@dataclass(frozen=True)
class Projection:
    """The task, candidate and timer rows a workflow stands for, keyed as in their tables."""

    tasks: dict[str, dict[str, Any]]
    candidates: frozenset[tuple[str, str]]  # (task id, person id)
    timers: dict[str, dict[str, Any]]


def project(case_id: int, workflow) -> Projection:
    """The rows the case's task, task_candidate and timer tables should hold for this workflow."""
    tasks, candidates = {}, set()
    for task in wf_ops.user_tasks(workflow):
        meta = task.internal_data.get(wf_ops.VAERN_KEY)
        if meta is None:
            continue  # a task cancelled before anyone was assigned to it
        state = _TASK_STATE_NAMES[wf_ops.state_name(task)]
        task_id = str(task.id)
        tasks[task_id] = {
            "id": task_id, "case_id": case_id, "spec_id": task.task_spec.bpmn_id,
            "title": task.task_spec.bpmn_name or task.task_spec.bpmn_id, "role": meta["role"],
            "unit_id": meta["unit"], "assignee_id": meta.get("assignee"), "state": state,
            "due_at": _parse(meta.get("due_at")), "created_at": _parse(meta.get("created_at")),
            "completed_at": _parse(meta.get("completed_at")), "completed_by": meta.get("completed_by"),
        }
        if state == "open":
            candidates.update((task_id, person) for person in meta["candidates"])
    timers = {t.task_id: {"id": t.task_id, "case_id": case_id, "spec_id": t.spec_id, "due_at": t.due_at}
              for t in wf_ops.pending_timers(workflow)}
    return Projection(tasks, frozenset(candidates), timers)


def write_projection(connection: Connection, case_id: int, before: Projection | None, after: Projection) -> None:
    """Bring the case's rows from `before` (what is stored; None: unknown) to `after`.

    Only the difference is written: completing a task updates its row, drops its candidates and
    adds the next task, instead of rewriting every row the case ever had.
    """
    if before is None:
        for statement in _DELETE_ALL:
            connection.execute(statement, {"case_id": case_id})
        before = Projection({}, frozenset(), {})
    gone = [{"b_task": t, "b_person": p} for t, p in before.candidates - after.candidates]
    if gone:
        connection.execute(_DELETE_CANDIDATE, gone)
    for table, old, new in ((_TASK, before.tasks, after.tasks), (_TIMER, before.timers, after.timers)):
        removed = [{"b_id": key} for key in old.keys() - new.keys()]
        if removed:
            connection.execute(_DELETE_BY_ID[table.name], removed)
        changed = [{"b_id": key, **_without_id(row)} for key, row in new.items() if key in old and old[key] != row]
        if changed:
            connection.execute(_UPDATE_BY_ID[table.name], changed)
        added = [row for key, row in new.items() if key not in old]
        if added:
            connection.execute(insert(table), added)
    added_candidates = [{"task_id": t, "person_id": p, "case_id": case_id} for t, p in after.candidates - before.candidates]
    if added_candidates:
        connection.execute(insert(_CANDIDATE), sorted(added_candidates, key=lambda r: (r["task_id"], r["person_id"])))


# Built once: the hot path neither builds nor hashes these statements again.
_DELETE_ALL = tuple(delete(t).where(t.c.case_id == bindparam("case_id")) for t in (_CANDIDATE, _TASK, _TIMER))
_DELETE_CANDIDATE = delete(_CANDIDATE).where(_CANDIDATE.c.task_id == bindparam("b_task"),
                                             _CANDIDATE.c.person_id == bindparam("b_person"))
_DELETE_BY_ID = {t.name: delete(t).where(t.c.id == bindparam("b_id")) for t in (_TASK, _TIMER)}
_UPDATE_BY_ID = {t.name: update(t).where(t.c.id == bindparam("b_id"))
                 .values({c.name: bindparam(c.name) for c in t.columns if c.name != "id"}) for t in (_TASK, _TIMER)}


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {column: value for column, value in row.items() if column != "id"}


def _parse(value: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if value else None
