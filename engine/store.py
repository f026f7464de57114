"""Saving a case: its serialized workflow under a version check, and the task, candidate and timer
rows rebuilt from it. Never commits; the service layer owns the transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from . import workflow as wf_ops
from .clock import as_utc
from .errors import ConcurrentUpdate
from .models import Case, CaseParty, Event, Task, TaskCandidate, Timer

SYSTEM = "system"  # the actor of what the engine does by itself (timers, assignment, notices)
_TASK_STATE_NAMES = {"READY": "open", "COMPLETED": "completed", "CANCELLED": "cancelled", "ERROR": "error"}


_PENDING_EVENTS = "vaern_pending_events"


def record(session: Session, now: datetime, actor: str, action: str, case_id: int | None = None,
           task_id: str | None = None, **details: Any) -> None:
    """Append one row to the event log; the rows of a command are written together at its commit."""
    session.info.setdefault(_PENDING_EVENTS, []).append(
        {"at": now, "actor": actor, "action": action, "case_id": case_id, "task_id": task_id, "details": details})


def flush_events(session: Session) -> None:
    """Write the command's event rows in one statement (called just before every commit)."""
    pending = session.info.pop(_PENDING_EVENTS, None)
    if pending:
        session.execute(insert(Event), pending)


def forget_events(session: Session, *_args) -> None:
    """Drop unwritten event rows when a command rolls back."""
    session.info.pop(_PENDING_EVENTS, None)


def save_case(session: Session, case: Case, workflow, values: dict[str, Any], now: datetime) -> int:
    """Write the case's state and flags if nobody saved it since it was loaded; rebuild projections.

    Returns the new version. Raises ConcurrentUpdate, changing nothing, when the stored version
    is no longer the one this command loaded.
    """
    new_version = case.version + 1
    result = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(state=wf_ops.dumps(workflow), version=new_version, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload it and try again")
    rebuild_projections(session, case.id, workflow)
    if "parties" in values and values["parties"] != case.parties:
        rebuild_parties(session, case.id, values["parties"])
    return new_version


def rebuild_parties(session: Session, case_id: int, parties: dict[str, str]) -> None:
    """Replace the case's party rows (employee_id -> role 'employee', …)."""
    session.execute(delete(CaseParty).where(CaseParty.case_id == case_id))
    if parties:
        session.execute(insert(CaseParty), [{"case_id": case_id, "role": key.removesuffix("_id"), "person_id": person}
                                            for key, person in parties.items()])


def rebuild_projections(session: Session, case_id: int, workflow) -> None:
    """Replace the case's task, candidate and timer rows with what the workflow says now."""
    session.execute(delete(TaskCandidate).where(TaskCandidate.case_id == case_id))
    session.execute(delete(Task).where(Task.case_id == case_id))
    session.execute(delete(Timer).where(Timer.case_id == case_id))
    tasks, candidates = [], []
    for task in wf_ops.user_tasks(workflow):
        meta = task.internal_data.get(wf_ops.VAERN_KEY)
        if meta is None:
            continue  # a task cancelled before anyone was assigned to it
        state = _TASK_STATE_NAMES[wf_ops.state_name(task)]
        tasks.append({
            "id": str(task.id), "case_id": case_id, "spec_id": task.task_spec.bpmn_id,
            "title": task.task_spec.bpmn_name or task.task_spec.bpmn_id, "role": meta["role"],
            "unit_id": meta["unit"], "assignee_id": meta.get("assignee"), "state": state,
            "due_at": _parse(meta.get("due_at")), "created_at": _parse(meta.get("created_at")),
            "completed_at": _parse(meta.get("completed_at")), "completed_by": meta.get("completed_by"),
        })
        if state == "open":
            candidates.extend({"task_id": str(task.id), "person_id": p, "case_id": case_id}
                              for p in meta["candidates"])
    if tasks:
        session.execute(insert(Task), tasks)
    if candidates:
        session.execute(insert(TaskCandidate), candidates)
    timers = [{"id": t.task_id, "case_id": case_id, "spec_id": t.spec_id, "due_at": t.due_at}
              for t in wf_ops.pending_timers(workflow)]
    if timers:
        session.execute(insert(Timer), timers)


def _parse(value: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if value else None
