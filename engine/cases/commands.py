"""The commands that move a case: start it, complete, claim and release its tasks, send it a message,
mark it serious. Each is one transaction, with `user` and `now` passed in."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import delete, select

from engine.bpmn.definitions import ParsedDefinition
from engine.bpmn.forms import coerce_values
from engine.bpmn.workflow import CaseTask, CaseWorkflow, TaskMeta
from engine.cases import store
from engine.cases.involvement import involvement
from engine.cases.loader import CaseLoader, LoadedCase
from engine.cases.messages import may_send
from engine.cases.queries import task_info
from engine.cases.results import CaseInfo, TaskInfo
from engine.cases.stepping import Stepper, check_named_people, parties_of
from engine.clock import as_utc, frozen_at
from engine.errors import InvalidInput, NotAllowed, UnknownCaseKind, UnknownUnit
from engine.models import Case, Definition, TaskDraft
from engine.privacy.policy import LEADER_RELATIONS
from engine.unit_of_work import UnitOfWork, UnitsOfWork

_COMMITTEE_COLLECTION = re.compile(r"^(lmu|hmu|rmu|amg)_units$")


class CaseCommands:
    """Start cases and move them on; the steps after every move are the stepper's."""

    def __init__(self, units: UnitsOfWork, loader: CaseLoader, stepper: Stepper):
        self._units = units
        self._loader = loader
        self._stepper = stepper

    def start_case(self, kind: str, unit_id: str, data: dict[str, Any], user: str, now: datetime,
                   on_started: Callable[[UnitOfWork, CaseInfo], None] | None = None) -> CaseInfo:
        """Start a case of `kind` in a unit with its initial data, on the newest diagram version.

        `on_started(uow, info)` runs in the same transaction before it commits; raising there undoes
        the start (the yearly MED round uses it to start at most one round a year).
        """
        now = as_utc(now)
        with self._units() as uow:
            s = uow.session
            definition = s.scalar(select(Definition).where(Definition.kind == kind)
                                  .order_by(Definition.version.desc()).limit(1))
            if definition is None:
                raise UnknownCaseKind(f"no diagram is deployed for the case kind '{kind}'")
            if not uow.org.has_unit(unit_id):
                raise UnknownUnit(f"no unit with id '{unit_id}'")
            uow.org.require_people(list(parties_of(data).values()))
            parsed = self._loader.parsed(definition)
            missing = [name for name in parsed.starts_with if not data.get(name)]
            if missing:
                raise InvalidInput({name: "skal angives, når sagen startes (required to start the case)"
                                    for name in missing})
            # `serious` is always a case variable, so a gateway after any deadline may read it.
            initial = {**parsed.settings, **_committee_lists(uow, parsed, unit_id), "serious": False, **data,
                       "case_unit": unit_id}
            with frozen_at(now):
                workflow = CaseWorkflow.start(parsed, initial)
                case = Case(kind=kind, definition_id=definition.id, unit_id=unit_id, status="open",
                            serious=bool(data.get("serious")), confidential=bool(data.get("confidential")),
                            escalated=False, parties={}, state="{}", version=0, created_by=user,
                            created_at=now, updated_at=now)
                s.add(case)
                s.flush()
                uow.loaded[case.id] = store.Projection({}, frozenset(), {})  # a new case has no rows yet
                store.record(uow, now, user, "case_started", case.id, kind=kind, role="reporter",
                             definition_version=definition.version, unit=unit_id)
                info = self._stepper.after_step(uow, LoadedCase(case, parsed, workflow), set(), user, now)
            if on_started is not None:
                on_started(uow, info)
            uow.commit()
            return info

    def complete_task(self, task_id: str, values: dict[str, Any], user: str, now: datetime) -> CaseInfo:
        """Complete an open task with form values typed and checked against its fields; its drafts go with it."""
        now = as_utc(now)
        with self._units() as uow:
            loaded, task = self._loader.load_task(uow, task_id)
            info = self.complete_loaded(uow, loaded, task, values, user, now)
            uow.commit()
            return info

    def complete_loaded(self, uow: UnitOfWork, loaded: LoadedCase, task: CaseTask, values: dict[str, Any], user: str,
                        now: datetime) -> CaseInfo:
        """`complete_task` inside a caller's transaction, on a task it loaded (locked) from its case."""
        meta = _require_may_act(task.meta, user)
        before = loaded.workflow.completed_ids()
        with frozen_at(now):
            typed = coerce_values(task.fields, values, task.data)
            check_named_people(uow, typed)
            task.set_meta(replace(meta, completed_by=user, completed_at=now.isoformat(), assignee=meta.assignee or user))
            loaded.workflow.complete(task, typed)
            store.record(uow, now, user, "task_completed", loaded.case.id, task.id, spec=task.spec_id, role=meta.role,
                         title=task.title, fields=sorted(typed))
            info = self._stepper.after_step(uow, loaded, before | {task.uuid}, user, now)
        # The task is done: nobody's draft of it means anything now.
        uow.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task.id))
        return info

    def claim(self, task_id: str, user: str, now: datetime) -> TaskInfo:
        """Take an open task that several people could do, so it is yours alone."""
        return self._set_assignee(task_id, user, user, "task_claimed", now)

    def release(self, task_id: str, user: str, now: datetime) -> TaskInfo:
        """Give back a task you claimed, so every candidate sees it again."""
        return self._set_assignee(task_id, None, user, "task_released", now)

    def _set_assignee(self, task_id: str, assignee: str | None, user: str, action: str, now: datetime) -> TaskInfo:
        now = as_utc(now)
        with self._units() as uow:
            loaded, task = self._loader.load_task(uow, task_id)
            meta = task.meta
            if assignee is not None:
                _require_may_act(meta, user)
            elif meta.assignee != user:
                raise NotAllowed("only the person who claimed the task can release it")
            task.set_meta(replace(meta, assignee=assignee))
            store.save_case(uow, loaded.case, loaded.workflow, {}, now)
            store.record(uow, now, user, action, loaded.case.id, task_id, role=meta.role)
            uow.commit()
            return task_info(uow.session, task_id)

    def send_message(self, case_id: int, name: str, payload: dict[str, Any], user: str, now: datetime) -> CaseInfo:
        """Deliver a named message to a case (e.g. complaint_withdrawn) if the case is waiting for it."""
        now = as_utc(now)
        with self._units() as uow:
            if not may_send(name, involvement(uow.session, user, case_id), user):
                raise NotAllowed(f"you may not send '{name}' into case {case_id}")
            loaded = self._loader.load_case(uow, case_id)
            if loaded.case.status != "open":
                raise InvalidInput({"message": f"case {case_id} is closed"})
            with frozen_at(now):
                waiting = loaded.workflow.waiting_message_names()
                if name not in waiting:
                    expected = ", ".join(sorted(waiting)) or "none"
                    raise InvalidInput({"message": f"case {case_id} is not waiting for '{name}' (it waits for: {expected})"})
                before = loaded.workflow.completed_ids()
                loaded.workflow.deliver_message(name, payload)
                store.record(uow, now, user, "message_delivered", case_id, message=name)
                info = self._stepper.after_step(uow, loaded, before, user, now)
            uow.commit()
            return info

    def mark_serious(self, case_id: int, severity: int, user: str, now: datetime) -> CaseInfo:
        """A leader of the case marks it serious with a severity 1-5 (GEN-1, K-S5): from then on every
        deadline of the case escalates as the diagram says for serious cases."""
        now = as_utc(now)
        if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 5:
            raise InvalidInput({"severity": "vælg en alvorlighed fra 1 til 5 (choose a severity from 1 to 5)"})
        with self._units() as uow:
            if not involvement(uow.session, user, case_id) & LEADER_RELATIONS:
                raise NotAllowed("only the case's leader or the leader's leader can mark the case serious")
            loaded = self._loader.load_case(uow, case_id)
            if loaded.case.status != "open":
                raise InvalidInput({"severity": f"sag {case_id} er afsluttet (the case is closed)"})
            with frozen_at(now):
                before = loaded.workflow.completed_ids()
                # Written into every task still to run, so the gateways after a deadline read it.
                loaded.workflow.set_case_variables(serious=True, severity=severity)
                store.record(uow, now, user, "case_marked_serious", case_id, severity=severity,
                             was_serious=loaded.case.serious)
                info = self._stepper.after_step(uow, loaded, before, user, now)
            uow.commit()
            return info


def _committee_lists(uow: UnitOfWork, parsed: ParsedDefinition, unit_id: str) -> dict[str, list[str]]:
    # A multi-instance task over `lmu_units` (etc.) gets the units in the case's subtree holding that role.
    lists = {}
    for collection in parsed.loop_collections():
        match = _COMMITTEE_COLLECTION.match(collection)
        if match:
            lists[collection] = uow.org.units_holding(match.group(1), unit_id)
    return lists


def _require_may_act(meta: TaskMeta, user: str) -> TaskMeta:
    if meta.may_act(user):
        return meta
    if meta.assignee is not None:
        raise NotAllowed("the task is assigned to someone else")
    raise NotAllowed("the task is not yours: you hold none of the roles it is for")
