"""Read-only queries over cases, tasks, people and the event log: what inboxes and pages show."""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from engine.bpmn.forms import FormField
from engine.bpmn.workflow import CaseTask
from engine.cases import store
from engine.cases.involvement import involvement
from engine.cases.loader import CaseLoader, LoadedCase
from engine.cases.messages import messages_for
from engine.cases.results import CaseDiagram, CaseInfo, EventInfo, InboxItem, TaskDetail, TaskInfo
from engine.clock import as_utc, frozen_at
from engine.errors import TaskNotFound
from engine.figures import frozen as frozen_figures
from engine.models import Case, CaseParty, Event, Task, TaskCandidate, Timer, Unit
from engine.unit_of_work import UnitOfWork, UnitsOfWork


class CaseQueries:
    """What inboxes and case pages read; each call is one read-only transaction."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader):
        self._units = units
        self._loader = loader

    def inbox(self, person_id: str, now: datetime) -> list[InboxItem]:
        """Open tasks assigned to the person, or open to them as a candidate; most urgent first."""
        now = as_utc(now)
        with self._units() as uow:
            mine = or_(Task.assignee_id == person_id,
                       and_(Task.assignee_id.is_(None),
                            exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.person_id == person_id)))
            rows = uow.session.execute(
                select(Task, Case.kind, Case.escalated, Case.serious, Unit.name)
                .join(Case, Case.id == Task.case_id).join(Unit, Unit.id == Case.unit_id)
                .where(Task.state == "open", mine)
                .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at))
            return [InboxItem(task_id=t.id, case_id=t.case_id, case_kind=kind, unit_id=t.unit_id,
                              unit_name=unit_name, title=t.title, role=t.role, assignee_id=t.assignee_id,
                              due_at=t.due_at, overdue=bool(t.due_at and t.due_at < now),
                              escalated=escalated, serious=serious)
                    for t, kind, escalated, serious, unit_name in rows]

    def task(self, task_id: str) -> TaskInfo:
        """One task's projection."""
        with self._units() as uow:
            return task_info(uow.session, task_id)

    def task_detail(self, task_id: str) -> TaskDetail:
        """An open task with its documentation, form fields and the case values they show."""
        with self._units() as uow:
            return task_detail(uow, self._loader, task_id)

    def task_form(self, task_id: str) -> TaskDetail:
        """A task's instructions and form as its diagram defines them, whatever the task's state, without values.

        For showing someone their own typed answers again when the task closed while they were typing.
        """
        with self._units() as uow:
            s = uow.session
            info = task_info(s, task_id)
            case = store.get_case(s, info.case_id)
            parsed = self._loader.parsed(case.definition)
            fields, documentation = parsed.task_form(info.spec_id)
            return TaskDetail(info, documentation, fields, {}, case.kind, case.serious, case.escalated)

    def case(self, case_id: int) -> CaseInfo:
        """A case's status, flags and current data."""
        with self._units() as uow:
            return case_info(self._loader, uow.session, case_id, with_data=True)

    def case_version(self, case_id: int) -> int | None:
        """The case row's version (it changes with every save), or None when there is no such case; reads no content."""
        with self._units() as uow:
            return uow.session.scalar(select(Case.version).where(Case.id == case_id))

    def cases(self, status: str | None = None, limit: int = 100) -> list[CaseInfo]:
        """Cases, newest first, optionally only open or closed ones."""
        with self._units() as uow:
            query = select(Case.id).order_by(Case.id.desc()).limit(limit)
            if status:
                query = query.where(Case.status == status)
            return [case_info(self._loader, uow.session, cid) for cid in uow.session.scalars(query)]

    def tasks_of_case(self, case_id: int) -> list[TaskInfo]:
        """Every projected task of a case, oldest first."""
        with self._units() as uow:
            ids = uow.session.scalars(select(Task.id).where(Task.case_id == case_id).order_by(Task.created_at, Task.id))
            return [task_info(uow.session, i) for i in ids]

    def timers_of_case(self, case_id: int) -> list[tuple[str, datetime]]:
        """The case's pending timers: element id and due time."""
        with self._units() as uow:
            rows = uow.session.execute(select(Timer.spec_id, Timer.due_at).where(Timer.case_id == case_id)
                                       .order_by(Timer.due_at))
            return [(spec, due) for spec, due in rows]

    def events(self, case_id: int | None = None, limit: int = 1000) -> list[EventInfo]:
        """The event log, oldest first; only one case's when `case_id` is given."""
        with self._units() as uow:
            query = select(Event).order_by(Event.id).limit(limit)
            if case_id is not None:
                query = query.where(Event.case_id == case_id)
            return [EventInfo(e.id, e.at, e.actor, e.action, e.case_id, e.task_id, dict(e.details or {}))
                    for e in uow.session.scalars(query)]

    def involvement(self, person_id: str, case_id: int) -> set[str]:
        """How a person is involved in a case: 'reporter', 'party:<role>', 'task:<role>' (may be empty)."""
        with self._units() as uow:
            return involvement(uow.session, person_id, case_id)

    def reported_by(self, person_id: str) -> list[CaseInfo]:
        """Cases the person reported, newest first."""
        with self._units() as uow:
            ids = uow.session.scalars(select(Case.id).where(Case.created_by == person_id).order_by(Case.id.desc()))
            return [case_info(self._loader, uow.session, i) for i in ids]

    def my_cases(self, person_id: str) -> list[CaseInfo]:
        """Cases a person reported or that happened to them (the affected), newest first; never as the accused."""
        with self._units() as uow:
            affected = select(CaseParty.case_id).where(CaseParty.role == "employee", CaseParty.person_id == person_id)
            ids = uow.session.scalars(select(Case.id).where(or_(Case.created_by == person_id, Case.id.in_(affected)))
                                      .order_by(Case.id.desc()))
            return [case_info(self._loader, uow.session, i) for i in ids]

    def case_diagram(self, case_id: int, now: datetime) -> CaseDiagram:
        """The XML of the diagram version a case runs, and which elements are done, current or overdue."""
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            case = store.get_case(s, case_id)
            definition = case.definition
            with self._loader.reading(case) as workflow:
                completed, current = workflow.element_states()
            overdue = set(s.scalars(select(Task.spec_id).where(Task.case_id == case_id, Task.state == "open",
                                                               Task.due_at < now)))
            return CaseDiagram(definition.xml, definition.version, completed, current, overdue)

    def case_settings(self, case_id: int) -> dict[str, str]:
        """The settings (`setting.*`) of the diagram version a case runs: name -> value as deployed."""
        with self._units() as uow:
            return dict(self._case_definition(uow.session, case_id).settings)

    def case_fields(self, case_id: int) -> dict[str, FormField]:
        """Every form field of the case's diagram version by id (the first task that asks it), with its options."""
        with self._units() as uow:
            return self._case_definition(uow.session, case_id).fields()

    def case_task_fields(self, case_id: int) -> dict[str, tuple[str, ...]]:
        """Which form fields each user task of the case's diagram version asks: element id -> field ids."""
        with self._units() as uow:
            return self._case_definition(uow.session, case_id).task_fields()

    def case_field_labels(self, case_id: int) -> dict[str, str]:
        """Every form field of the case's diagram version: field id -> its (Danish) label."""
        with self._units() as uow:
            fields = self._case_definition(uow.session, case_id).fields()
            return {field_id: field.label for field_id, field in fields.items()}

    def waiting_messages(self, case_id: int, now: datetime) -> set[str]:
        """Names of the messages an open case would accept now (none for a closed case)."""
        with self._units() as uow:
            s = uow.session
            case = store.get_case(s, case_id)
            if case.status != "open":
                return set()
            with frozen_at(as_utc(now)), self._loader.reading(case) as workflow:
                return workflow.waiting_message_names()

    def may_send_message(self, case_id: int, person_id: str, name: str) -> bool:
        """Whether this person may send the message into the case at all (waiting for it or not)."""
        return name in messages_for(self.involvement(person_id, case_id))

    def sendable_messages(self, case_id: int, person_id: str, now: datetime) -> set[str]:
        """The messages the case waits for now that this person may send (e.g. withdraw, ask for help)."""
        allowed = messages_for(self.involvement(person_id, case_id))
        return allowed & self.waiting_messages(case_id, now) if allowed else set()

    def _case_definition(self, s: Session, case_id: int):
        return self._loader.parsed(store.get_case(s, case_id).definition)


def task_info(s: Session, task_id: str) -> TaskInfo:
    """One task's projected row with its candidates; TaskNotFound if there is none."""
    row = s.get(Task, task_id)
    if row is None:
        raise TaskNotFound(f"no task with id '{task_id}'")
    candidates = tuple(sorted(s.scalars(select(TaskCandidate.person_id).where(TaskCandidate.task_id == task_id))))
    return TaskInfo(row.id, row.case_id, row.spec_id, row.title, row.role, row.unit_id, row.state,
                    row.assignee_id, candidates, row.due_at, row.created_at, row.completed_at, row.completed_by)


def case_info(loader: CaseLoader, s: Session, case_id: int, with_data: bool = False) -> CaseInfo:
    """A case as a result, read afresh; with a copy of its current data when asked."""
    s.expire_all()
    case = store.get_case(s, case_id)
    definition = case.definition
    data = {}
    if with_data and case.status != "purged":
        # A copy: the workflow stays cached for the next command, and callers may change what they get.
        with loader.reading(case) as workflow:
            data = deepcopy(workflow.case_data())
    return CaseInfo(case.id, case.kind, definition.version, case.unit_id, case.status, case.serious,
                    case.confidential, case.escalated, dict(case.parties), case.version, case.created_by,
                    case.created_at, case.closed_at, data)


def task_detail(uow: UnitOfWork, loader: CaseLoader, task_id: str) -> TaskDetail:
    """An open task with its documentation, form fields, the case values they show and its hearing material."""
    with loader.reading_task(uow, task_id) as (loaded, task):
        return detail_of(uow.session, loaded, task)


def detail_of(s: Session, loaded: LoadedCase, task: CaseTask) -> TaskDetail:
    """The detail of an open task of a loaded case (its row read, its workflow as loaded)."""
    info = task_info(s, task.id)
    fields = task.fields
    values = {f.id: task.data.get(f.id) for f in fields if f.id in task.data}
    material = tuple((name, task.data[name]) for name in loaded.parsed.task_material.get(task.spec_id, ())
                     if task.data.get(name) not in (None, ""))
    case = loaded.case
    shown = frozen_figures.read(s, task.id) if task.spec_id in frozen_figures.committee_tasks(loaded.parsed) else None
    return TaskDetail(info, task.documentation, fields, values, case.kind, case.serious, case.escalated,
                      material, task.data.get("severity"), shown)


