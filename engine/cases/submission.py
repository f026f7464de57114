"""A person sends in a task's form: the read is checked and logged, person fields are read, the task is completed.

One transaction for what the web's form post needs, so a completion costs the request no more than its
log-in check and this. When the answers cannot be used, nothing of them is saved and the read stays logged.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from engine.bpmn.forms import is_person_list, split_people
from engine.bpmn.workflow import WorkflowError
from engine.cases.commands import CaseCommands
from engine.cases.loader import CaseLoader
from engine.cases.queries import detail_of
from engine.cases.results import CaseInfo, TaskDetail
from engine.clock import as_utc
from engine.errors import InvalidInput, NotAllowed, TaskNotOpen
from engine.org.directory import PersonChoice
from engine.org.snapshot import OrgSnapshot
from engine.privacy.service import log_read, may_open_task
from engine.unit_of_work import UnitsOfWork


@dataclass(frozen=True)
class Submission:
    """What became of a sent form: the case as saved, or the task's form with what was wrong."""

    detail: TaskDetail
    case: CaseInfo | None = None
    people: dict[str, PersonChoice] = field(default_factory=dict)  # person fields whose text names no one person
    errors: dict[str, str] = field(default_factory=dict)           # fields the form's rules refused
    workflow_error: str | None = None                              # the diagram could not go on with the answers


class TaskSubmissions:
    """Completing a task from its form, as the person who opened it."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, commands: CaseCommands):
        self._units = units
        self._loader = loader
        self._commands = commands

    def submit_task(self, task_id: str, viewer_id: str, form: dict[str, Any], now: datetime) -> Submission:
        """Complete the task with the form's texts (person fields read as people); NotAllowed, TaskNotOpen."""
        now = as_utc(now)
        with self._units() as uow:
            case_id, allowed = may_open_task(uow.session, task_id, viewer_id)
            if case_id is None:
                raise NotAllowed("this task is not yours")  # the same answer whether or not the task exists
            log_read(uow.session, now, viewer_id, case_id, "task", "task" if allowed else "none")
            if not allowed:
                uow.commit()
                raise NotAllowed("this task is not yours")
            try:
                loaded, task = self._loader.load_task(uow, task_id)
            except TaskNotOpen:
                uow.commit()
                raise
            detail = detail_of(uow.session, loaded, task)
            values, people = read_people(uow.org, detail, form)
            if people:
                self._loader.put_back(uow, loaded)
                uow.commit()
                return Submission(detail, people=people)
            try:
                case = self._commands.complete_loaded(uow, loaded, task, values, viewer_id, now)
            except (InvalidInput, WorkflowError) as refused:
                failure = refused
            else:
                uow.commit()
                return Submission(detail, case=case)
        # Nothing of the answers was kept (the workflow they changed is dropped); the read still is logged.
        with self._units() as uow:
            log_read(uow.session, now, viewer_id, case_id, "task", "task")
            uow.commit()
        if isinstance(failure, InvalidInput):
            return Submission(detail, errors=dict(failure.errors))
        return Submission(detail, workflow_error=str(failure))


def read_people(org: OrgSnapshot, detail: TaskDetail, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, PersonChoice]]:
    """The form's values with each person field's text read as that person's id, and the fields that name no one."""
    values = {f.id: form.get(f.id) for f in detail.fields}
    problems = {}
    for field_ in detail.fields:
        text = (values.get(field_.id) or "").strip() if isinstance(values.get(field_.id), str) else ""
        if field_.id.endswith("_id") and text:
            choice = org.directory.choose(text)
            if choice.person_id:
                values[field_.id] = choice.person_id
            else:
                problems[field_.id] = choice
        elif is_person_list(field_.id) and text:
            # Each name must name one person; the first that does not is the one the writer is told of.
            chosen = [(name, org.directory.choose(name)) for name in split_people(text)]
            missing = next(((name, choice) for name, choice in chosen if not choice.person_id), None)
            if missing:
                problems[field_.id] = replace(missing[1], typed=missing[0])
            else:
                values[field_.id] = [choice.person_id for _, choice in chosen]
    return values, problems
