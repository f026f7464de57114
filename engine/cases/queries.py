"""Read-only queries over cases, tasks, people and the event log: what inboxes and pages show."""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from engine.bpmn import workflow as wf_ops
from engine.bpmn.forms import FormField, form_fields
from engine.cases import store
from engine.cases.messages import messages_for
from engine.cases.results import CaseDiagram, CaseInfo, EventInfo, InboxItem, PersonInfo, TaskDetail, TaskInfo, UnitInfo
from engine.clock import as_utc, frozen_at
from engine.errors import TaskNotFound, UnknownPerson
from engine.identity.passwords import check_password, unknown_account_hash
from engine.models import Account, Case, CaseParty, Event, Notice, Person, RoleHolder, Task, TaskCandidate, Timer, Unit
from engine.org.directory import PersonChoice, PersonMatch


class CaseQueries:
    """Queries mixed into the service; each opens its own read-only unit of work."""

    # -- queries -----------------------------------------------------------------------------

    def inbox(self, person_id: str, now: datetime) -> list[InboxItem]:
        """Open tasks assigned to the person, or open to them as a candidate; most urgent first."""
        now = as_utc(now)
        with self.uow() as uow:
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
        with self.uow() as uow:
            return self._task_info(uow.session, task_id)

    def task_detail(self, task_id: str) -> TaskDetail:
        """An open task with its documentation, form fields and the case values they show."""
        with self.uow() as uow:
            s = uow.session
            info = self._task_info(s, task_id)
            case, parsed, workflow, task = self._load_task(s, task_id, lock=False)
            fields = tuple(form_fields(task.task_spec))
            values = {f.id: task.data.get(f.id) for f in fields if f.id in task.data}
            documentation = task.task_spec.documentation
            material = tuple((name, task.data[name]) for name in parsed.task_material.get(task.task_spec.bpmn_id, ())
                             if task.data.get(name) not in (None, ""))
            self._give_back(s, case, workflow)
            return TaskDetail(info, documentation, fields, values, case.kind, case.serious, case.escalated, material,
                              task.data.get("severity"))

    def task_form(self, task_id: str) -> TaskDetail:
        """A task's instructions and form as its diagram defines them, whatever the task's state, without values.

        For showing someone their own typed answers again when the task closed while they were typing.
        """
        with self.uow() as uow:
            s = uow.session
            info = self._task_info(s, task_id)
            case = store.get_case(s, info.case_id)
            parsed = self._parsed(case.definition)
            specs = [spec for process in (parsed.spec, *parsed.subprocess_specs.values())
                     for spec in process.task_specs.values() if spec.bpmn_id == info.spec_id and spec.manual]
            fields = tuple(form_fields(specs[0])) if specs else ()
            documentation = specs[0].documentation if specs else None
            return TaskDetail(info, documentation, fields, {}, case.kind, case.serious, case.escalated)

    def case(self, case_id: int) -> CaseInfo:
        """A case's status, flags and current data."""
        with self.uow() as uow:
            return self._case_info(uow.session, case_id, with_data=True)

    def cases(self, status: str | None = None, limit: int = 100) -> list[CaseInfo]:
        """Cases, newest first, optionally only open or closed ones."""
        with self.uow() as uow:
            query = select(Case.id).order_by(Case.id.desc()).limit(limit)
            if status:
                query = query.where(Case.status == status)
            return [self._case_info(uow.session, cid) for cid in uow.session.scalars(query)]

    def tasks_of_case(self, case_id: int) -> list[TaskInfo]:
        """Every projected task of a case, oldest first."""
        with self.uow() as uow:
            ids = uow.session.scalars(select(Task.id).where(Task.case_id == case_id).order_by(Task.created_at, Task.id))
            return [self._task_info(uow.session, i) for i in ids]

    def timers_of_case(self, case_id: int) -> list[tuple[str, datetime]]:
        """The case's pending timers: element id and due time."""
        with self.uow() as uow:
            rows = uow.session.execute(select(Timer.spec_id, Timer.due_at).where(Timer.case_id == case_id)
                                       .order_by(Timer.due_at))
            return [(spec, due) for spec, due in rows]

    def events(self, case_id: int | None = None, limit: int = 1000) -> list[EventInfo]:
        """The event log, oldest first; only one case's when `case_id` is given."""
        with self.uow() as uow:
            query = select(Event).order_by(Event.id).limit(limit)
            if case_id is not None:
                query = query.where(Event.case_id == case_id)
            return [EventInfo(e.id, e.at, e.actor, e.action, e.case_id, e.task_id, dict(e.details or {}))
                    for e in uow.session.scalars(query)]

    def people(self) -> list[PersonInfo]:
        """Everyone in the organisation with the roles they hold, by name (three queries, whatever the size)."""
        with self.uow() as uow:
            s = uow.session
            roles: dict[str, list[tuple[str, str]]] = {}
            for person_id, unit_id, role in s.execute(select(RoleHolder.person_id, RoleHolder.unit_id, RoleHolder.role)
                                                      .order_by(RoleHolder.unit_id)):
                roles.setdefault(person_id, []).append((unit_id, role))
            accounts = {a.person_id: a for a in s.scalars(select(Account))}
            return [PersonInfo(pid, name, email, unit_id, tuple(roles.get(pid, ())),
                               bool(accounts.get(pid) and accounts[pid].is_admin),
                               bool(accounts.get(pid) and accounts[pid].is_process_owner), pid in accounts)
                    for pid, name, email, unit_id in s.execute(
                        select(Person.id, Person.name, Person.email, Person.unit_id).order_by(Person.name))]

    def person_names(self, person_ids) -> dict[str, str]:
        """Names of the given people, by id (unknown ids are left out)."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        with self.uow() as uow:
            rows = uow.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
            return {person_id: name for person_id, name in rows}

    def find_people(self, text: str, limit: int = 20) -> list[PersonMatch]:
        """Up to `limit` people whose name or id holds every word of `text` (for a person field's suggestions)."""
        with self.uow() as uow:
            return self._org(uow.session).directory.find(text, limit)

    def choose_person(self, text: str) -> PersonChoice:
        """The person a person field's text names (an id, "Name (id)" or a name only one person has)."""
        with self.uow() as uow:
            return self._org(uow.session).directory.choose(text)

    def person_match(self, person_id: str) -> PersonMatch | None:
        """The person with this id as a suggestion shows them, or None."""
        with self.uow() as uow:
            return self._org(uow.session).directory.match(person_id)

    def person(self, person_id: str) -> PersonInfo:
        """One person and their roles."""
        with self.uow() as uow:
            return self._person_info(uow.session, person_id)

    def units(self) -> list[UnitInfo]:
        """Every unit, by name."""
        with self.uow() as uow:
            return [UnitInfo(u.id, u.name, u.kind, u.parent_id)
                    for u in uow.session.scalars(select(Unit).order_by(Unit.name))]

    def authenticate(self, login: str, password: str) -> PersonInfo | None:
        """The person whose id or e-mail is `login` if the password matches their account, else None.

        A name without an account costs the same password check as one with, so the time an answer takes
        never tells whether an account exists.
        """
        with self.uow() as uow:
            s = uow.session
            person_id = _login_person_id(s, login)
            account = s.get(Account, person_id) if person_id else None
            if account is None:
                check_password(unknown_account_hash(), password)
                return None
            if not check_password(account.password_hash, password):
                return None
            return self._person_info(s, person_id)

    def login_person_id(self, login: str) -> str | None:
        """The id of the person whose id or e-mail is `login`, or None (what the log-in throttle counts by)."""
        with self.uow() as uow:
            return _login_person_id(uow.session, login)

    def reported_by(self, person_id: str) -> list[CaseInfo]:
        """Cases the person reported, newest first."""
        with self.uow() as uow:
            ids = uow.session.scalars(select(Case.id).where(Case.created_by == person_id).order_by(Case.id.desc()))
            return [self._case_info(uow.session, i) for i in ids]

    def my_cases(self, person_id: str) -> list[CaseInfo]:
        """Cases a person reported or that happened to them (the affected), newest first; never as the accused."""
        with self.uow() as uow:
            affected = select(CaseParty.case_id).where(CaseParty.role == "employee", CaseParty.person_id == person_id)
            ids = uow.session.scalars(select(Case.id).where(or_(Case.created_by == person_id, Case.id.in_(affected)))
                                      .order_by(Case.id.desc()))
            return [self._case_info(uow.session, i) for i in ids]

    def involvement(self, person_id: str, case_id: int) -> set[str]:
        """How a person is involved in a case: 'reporter', 'party:<role>', 'task:<role>' (may be empty)."""
        with self.uow() as uow:
            s = uow.session
            case = store.get_case(s, case_id)
            found = {f"party:{key[:-3]}" for key, value in (case.parties or {}).items() if value == person_id}
            if case.created_by == person_id:
                found.add("reporter")
            rows = s.execute(select(Task.role).where(Task.case_id == case_id, or_(
                Task.assignee_id == person_id, Task.completed_by == person_id,
                exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.person_id == person_id))))
            found.update(f"task:{role}" for (role,) in rows)
            # Told of an escalation (GEN-1: TR and AMR follow whether it leads to action) without a task.
            if s.scalar(select(Notice.id).where(Notice.case_id == case_id, Notice.person_id == person_id,
                                                Notice.kind == "escalated").limit(1)) is not None:
                found.add("notice:escalated")
            return found

    def case_diagram(self, case_id: int, now: datetime) -> CaseDiagram:
        """The XML of the diagram version a case runs, and which elements are done, current or overdue."""
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            case = store.get_case(s, case_id)
            definition = case.definition
            completed, current = self._read_workflow(case, wf_ops.element_states)
            overdue = set(s.scalars(select(Task.spec_id).where(Task.case_id == case_id, Task.state == "open",
                                                               Task.due_at < now)))
            return CaseDiagram(definition.xml, definition.version, completed, current, overdue)

    def case_settings(self, case_id: int) -> dict[str, str]:
        """The settings (`setting.*`) of the diagram version a case runs: name -> value as deployed."""
        with self.uow() as uow:
            return dict(self._case_definition(uow.session, case_id).settings)

    def case_fields(self, case_id: int) -> dict[str, FormField]:
        """Every form field of the case's diagram version by id (the first task that asks it), with its options."""
        with self.uow() as uow:
            parsed = self._case_definition(uow.session, case_id)
            fields: dict[str, FormField] = {}
            for task_spec in parsed.spec.task_specs.values():
                for field in form_fields(task_spec):
                    fields.setdefault(field.id, field)
            return fields

    def case_task_fields(self, case_id: int) -> dict[str, tuple[str, ...]]:
        """Which form fields each user task of the case's diagram version asks: element id -> field ids."""
        with self.uow() as uow:
            parsed = self._case_definition(uow.session, case_id)
            asked = {spec.bpmn_id: tuple(f.id for f in form_fields(spec)) for spec in parsed.spec.task_specs.values()}
            return {element: ids for element, ids in asked.items() if ids}

    def case_field_labels(self, case_id: int) -> dict[str, str]:
        """Every form field of the case's diagram version: field id -> its (Danish) label."""
        with self.uow() as uow:
            parsed = self._case_definition(uow.session, case_id)
            labels: dict[str, str] = {}
            for task_spec in parsed.spec.task_specs.values():
                for field in form_fields(task_spec):
                    labels.setdefault(field.id, field.label)
            return labels

    def waiting_messages(self, case_id: int, now: datetime) -> set[str]:
        """Names of the messages an open case would accept now (none for a closed case)."""
        with self.uow() as uow:
            s = uow.session
            case = store.get_case(s, case_id)
            if case.status != "open":
                return set()
            with frozen_at(as_utc(now)):
                return self._read_workflow(case, wf_ops.waiting_message_names)

    def may_send_message(self, case_id: int, person_id: str, name: str) -> bool:
        """Whether this person may send the message into the case at all (waiting for it or not)."""
        return name in messages_for(self.involvement(person_id, case_id))

    def sendable_messages(self, case_id: int, person_id: str, now: datetime) -> set[str]:
        """The messages the case waits for now that this person may send (e.g. withdraw, ask for help)."""
        allowed = messages_for(self.involvement(person_id, case_id))
        return allowed & self.waiting_messages(case_id, now) if allowed else set()

    def _case_definition(self, s: Session, case_id: int):
        case = store.get_case(s, case_id)
        return self._parsed(case.definition)

    def _person_info(self, s: Session, person_id: str) -> PersonInfo:
        person = s.get(Person, person_id)
        if person is None:
            raise UnknownPerson(f"no person with id '{person_id}'")
        roles = tuple(s.execute(select(RoleHolder.unit_id, RoleHolder.role)
                                .where(RoleHolder.person_id == person_id).order_by(RoleHolder.unit_id)))
        account = s.get(Account, person_id)
        return PersonInfo(person.id, person.name, person.email, person.unit_id,
                          tuple((u, r) for u, r in roles), bool(account and account.is_admin),
                          bool(account and account.is_process_owner), account is not None,
                          (account.session_generation or 0) if account else 0)

    def _task_info(self, s: Session, task_id: str) -> TaskInfo:
        row = s.get(Task, task_id)
        if row is None:
            raise TaskNotFound(f"no task with id '{task_id}'")
        candidates = tuple(sorted(s.scalars(select(TaskCandidate.person_id).where(TaskCandidate.task_id == task_id))))
        return TaskInfo(row.id, row.case_id, row.spec_id, row.title, row.role, row.unit_id, row.state,
                        row.assignee_id, candidates, row.due_at, row.created_at, row.completed_at, row.completed_by)

    def _case_info(self, s: Session, case_id: int, with_data: bool = False) -> CaseInfo:
        s.expire_all()
        case = store.get_case(s, case_id)
        definition = case.definition
        data = {}
        if with_data and case.status != "purged":
            # A copy: the workflow stays cached for the next command, and callers may change what they get.
            data = self._read_workflow(case, lambda workflow: deepcopy(wf_ops.case_data(workflow)))
        return CaseInfo(case.id, case.kind, definition.version, case.unit_id, case.status, case.serious,
                        case.confidential, case.escalated, dict(case.parties), case.version, case.created_by,
                        case.created_at, case.closed_at, data)


def _login_person_id(s: Session, login: str) -> str | None:
    if not login:
        return None
    return s.scalar(select(Person.id).where(Person.id == login)) or \
        s.scalar(select(Person.id).where(Person.email == login).limit(1))
