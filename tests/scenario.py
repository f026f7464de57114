"""Helpers for scenario tests that drive the guideline's diagrams through the engine as people would."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import Vaern
from engine.models import Task, TaskCandidate, Timer
from engine.testing import deploy_guideline, stored_projection  # noqa: F401  (deploy_guideline: for the tests)

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"


def filled(vaern: Vaern, task_id: str, **values: Any) -> dict[str, Any]:
    """Form values for a task: the given ones, and a plausible answer for every other required field."""
    detail = vaern.task_detail(task_id)
    answers: dict[str, Any] = {}
    for field in detail.fields:
        if field.id in values:
            answers[field.id] = values[field.id]
        elif field.type == "boolean":
            answers[field.id] = False
        elif field.required:
            answers[field.id] = {
                "string": f"{field.label}: udfyldt", "long": 1, "date": "2026-11-27",
                "enum": field.options[0][0] if field.options else None,
            }[field.type]
    unknown = set(values) - {f.id for f in detail.fields}
    assert not unknown, f"{detail.task.spec_id} has no fields {sorted(unknown)}; it has {[f.id for f in detail.fields]}"
    return answers


def open_task(vaern: Vaern, person: str, case_id: int, spec_id: str | None = None, now: datetime | None = None):
    """The one open task of a case in a person's inbox (optionally of one diagram element)."""
    from tests.conftest import T0

    items = [i for i in vaern.inbox(person, now or T0) if i.case_id == case_id]
    if spec_id is not None:
        items = [i for i in items if vaern.task(i.task_id).spec_id == spec_id]
    assert len(items) == 1, f"{person} has {len(items)} matching tasks in case {case_id}: {[i.title for i in items]}"
    return items[0]


def do(vaern: Vaern, person: str, case_id: int, spec_id: str, now: datetime, **values: Any):
    """Complete the person's open task `spec_id` in the case, filling what the test does not care about."""
    item = open_task(vaern, person, case_id, spec_id, now)
    info = vaern.complete_task(item.task_id, filled(vaern, item.task_id, **values), person, now)
    assert_rows_match_workflow(vaern, case_id)
    return info


def assert_rows_match_workflow(vaern: Vaern, case_id: int) -> None:
    """The case's task, candidate and timer rows are exactly a full projection of its stored state.

    Saves write only what changed since the case was loaded; this checks that the rows never drift
    from what rewriting them all would give.
    """
    with vaern.uow() as uow:
        s = uow.session
        expected = stored_projection(vaern, case_id)
        tasks = {row.id: dict(row._mapping) for row in s.execute(select(Task.__table__).where(Task.case_id == case_id))}
        candidates = {(row.task_id, row.person_id) for row in
                      s.execute(select(TaskCandidate.__table__).where(TaskCandidate.case_id == case_id))}
        timers = {row.id: dict(row._mapping) for row in s.execute(select(Timer.__table__).where(Timer.case_id == case_id))}
    assert tasks == expected.tasks
    assert candidates == expected.candidates
    assert timers == expected.timers


def open_specs(vaern: Vaern, case_id: int) -> dict[str, list[str]]:
    """Open tasks of a case: element id -> the people who may do it."""
    result: dict[str, list[str]] = {}
    for task in vaern.tasks_of_case(case_id):
        if task.state == "open":
            result.setdefault(task.spec_id, []).extend([task.assignee_id] if task.assignee_id else list(task.candidates))
    return result


def run_to_end(vaern: Vaern, case_id: int, now: datetime, answers: dict[str, dict[str, Any]] | None = None,
               skip: set[str] = frozenset(), max_steps: int = 80) -> list[tuple[str, str]]:
    """Complete every open task as its person would, with the given answers, until nothing is open.

    Tasks in `skip` are left open (e.g. a branch the test drives itself). Returns (element id, person)
    in the order they were completed.
    """
    answers = answers or {}
    done: list[tuple[str, str]] = []
    for _ in range(max_steps):
        open_now = [t for t in vaern.tasks_of_case(case_id) if t.state == "open" and t.spec_id not in skip]
        if not open_now:
            timers = vaern.timers_of_case(case_id)
            if not timers:
                return done
            # Nothing to do but wait (e.g. the follow-up weeks later): travel to the timer and fire it.
            now = max(now, timers[0][1] + timedelta(seconds=1))
            assert vaern.fire_due_timers(now) >= 1
            assert_rows_match_workflow(vaern, case_id)
            continue
        task = open_now[0]
        person = task.assignee_id or (task.candidates[0] if task.candidates else None)
        assert person, f"nobody can do {task.spec_id} ({task.role}) in case {case_id}"
        values = filled(vaern, task.id, **answers.get(task.spec_id, {}))
        vaern.complete_task(task.id, values, person, now)
        assert_rows_match_workflow(vaern, case_id)
        done.append((task.spec_id, person))
    raise AssertionError(f"case {case_id} still has open tasks after {max_steps} steps")
