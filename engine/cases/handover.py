"""Handing over the open tasks of people who left: to the role's next holder, or up the line, with a notice.

Runs inside the sync's transaction after the organisation was written, so roles resolve in the new one. The
task keeps its role and unit; its candidates become whoever holds the role there now (the leavers left out),
or, when nobody does, the first fallback role that resolves to someone (`engine/org/roles.py`), as a new
task would be assigned. The case keeps its history: every hand-over is an event on the case.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import or_, select

from engine.cases import store
from engine.cases.loader import CaseLoader
from engine.cases.store import SYSTEM
from engine.config import Settings
from engine.models import Task, TaskCandidate
from engine.notify import mail
from engine.org.roles import fallback_roles
from engine.unit_of_work import UnitOfWork

_CHUNK = 500  # ids per IN list: well under every database's limit on bound parameters


def hand_over(uow: UnitOfWork, loader: CaseLoader, settings: Settings, leavers: set[str], now: datetime) -> int:
    """Move the open tasks of `leavers` to the people who hold their roles now; returns how many moved."""
    case_ids = _cases_with_tasks_of(uow, leavers)
    moved = 0
    for case_id in sorted(case_ids):
        loaded = loader.load_case(uow, case_id)
        parties = dict(loaded.case.parties)
        changed = False
        for task in loaded.workflow.tasks().ready_user_tasks():
            meta = task.meta
            if meta is None or not (set(meta.candidates) | {meta.assignee}) & leavers:
                continue
            role, candidates = _new_holders(uow, meta.role, meta.unit, parties, leavers)
            if not candidates:
                # Nobody may answer for this role (an accused's hearing): the task stays, and the log says why.
                store.record(uow, now, SYSTEM, "task_not_handed_over", case_id, task.id, role=meta.role,
                             unit=meta.unit, left=sorted((set(meta.candidates) | {meta.assignee}) & leavers))
                continue
            kept_assignee = meta.assignee if meta.assignee and meta.assignee not in leavers else None
            assignee = kept_assignee or (candidates[0] if len(candidates) == 1 else None)
            task.set_meta(replace(meta, candidates=tuple(candidates), assignee=assignee))
            store.record(uow, now, SYSTEM, "task_handed_over", case_id, task.id, role=meta.role, to_role=role,
                         unit=meta.unit, left=sorted((set(meta.candidates) | {meta.assignee}) & leavers),
                         candidates=candidates)
            # Told: whoever is new to the task, and whoever it now falls to alone (it was claimed by the leaver).
            new_people = [p for p in candidates if p not in meta.candidates or (p == assignee != meta.assignee)]
            mail.enqueue(uow, settings, now, new_people, "handed_over", case_id, task.id, task.title or task.spec_id)
            changed = True
            moved += 1
        if changed:
            store.save_case(uow, loaded.case, loaded.workflow, {}, now)
        else:
            loader.put_back(uow, loaded)
    return moved


def _new_holders(uow: UnitOfWork, role: str, unit: str, parties: dict[str, str],
                 leavers: set[str]) -> tuple[str, list[str]]:
    """The role and people who take a task of `role` in `unit` now: its holders, else the first fallback's."""
    for candidate_role in (role, *fallback_roles(role)):
        people = [p for p in uow.org.resolve(candidate_role, unit, parties) if p not in leavers]
        if people:
            return candidate_role, people
    return role, []


def _cases_with_tasks_of(uow: UnitOfWork, people: set[str]) -> set[int]:
    """Ids of the cases with an open task that one of `people` may do or has claimed."""
    found: set[int] = set()
    ordered = sorted(people)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        found.update(uow.session.scalars(
            select(Task.case_id).outerjoin(TaskCandidate, TaskCandidate.task_id == Task.id)
            .where(Task.state == "open", or_(TaskCandidate.person_id.in_(chunk), Task.assignee_id.in_(chunk)))))
    return found
