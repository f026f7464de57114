"""What happens after a case's workflow moved: small steps, called in order by `Stepper.after_step`.

1. the parties the case now names must be people of the organisation;
2. notices of the steps just passed (reminders, escalations) go to their roles;
3. committees passed over in the annual round are recorded;
4. new user tasks get their role, candidates and due time;
5. the case's flags (serious, confidential, escalated, closed) follow its data;
6. the case is saved, and what was saved is returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.bpmn.forms import is_person_list
from engine.bpmn.workflow import CaseTask, TaskMeta, TaskWalk
from engine.cases import committees, store
from engine.cases.loader import LoadedCase
from engine.cases.results import CaseInfo
from engine.cases.store import SYSTEM
from engine.config import Settings
from engine.errors import InvalidInput
from engine.figures import frozen
from engine.models import Case
from engine.notify import mail
from engine.org.roles import PERSON_ROLES, fallback_roles
from engine.unit_of_work import UnitOfWork

PARTY_KEYS = tuple(f"{role}_id" for role in sorted(PERSON_ROLES))


@dataclass(frozen=True)
class Flags:
    """The case row's columns that follow its data, and whether this step closed the case."""

    values: dict[str, Any]
    closed_now: bool


def parties_of(data: dict[str, Any]) -> dict[str, str]:
    """The people a case's data names in a party role (employee_id, accused_id, …), as strings."""
    return {key: str(data[key]) for key in PARTY_KEYS if data.get(key)}


class Stepper:
    """Brings a case's rows, notices and flags in line after its workflow moved, and saves it."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def after_step(self, uow: UnitOfWork, loaded: LoadedCase, before: set, actor: str, now: datetime) -> CaseInfo:
        """Run the steps after the workflow moved past the tasks in `before`; returns the case as saved."""
        case, workflow = loaded.case, loaded.workflow
        data = workflow.case_data()
        parties = check_parties(uow, case, data)
        tasks = workflow.tasks()
        escalated = self._send_notices(uow, loaded, tasks, before, parties, now)
        committees.note_passed_over(uow, case, loaded.parsed, tasks, before, now)
        for task in tasks.ready_user_tasks():
            if task.meta is None:
                self._assign(uow, case, task, parties, now)
                frozen.freeze(uow, loaded.parsed, case, task, tasks, now, frozen.figure_settings(self.settings))
        flags = case_flags(case, data, parties, escalated, workflow.is_completed(), now)
        if flags.closed_now:
            store.record(uow, now, actor, "case_closed", case.id)
        # Only what changed is written (the state and version always are).
        changed = {column: value for column, value in flags.values.items() if getattr(case, column) != value}
        version = store.save_case(uow, case, workflow, changed, now)
        return saved_info(case, flags.values, version)

    def _send_notices(self, uow: UnitOfWork, loaded: LoadedCase, tasks: TaskWalk, before: set,
                      parties: dict[str, str], now: datetime) -> bool:
        """Notices of the diagram's notice elements just passed; returns whether the case is escalated now."""
        case = loaded.case
        escalated = case.escalated
        for done in tasks.completed_since(before):
            notice = loaded.parsed.notices.get(done.spec_id)
            if notice and self._notice(uow, case, done, notice, parties, now) == "escalated" and not escalated:
                escalated = True
                store.record(uow, now, SYSTEM, "case_escalated", case.id, None, spec=done.spec_id)
        return escalated

    def _notice(self, uow: UnitOfWork, case: Case, done: CaseTask, notice: dict[str, str], parties: dict[str, str],
                now: datetime) -> str | None:
        # A notice about a late task goes to the roles of the units those tasks are for: a late LMU's
        # reminder reaches that LMU, its escalation the HMU above it. With no task open behind it (a
        # committee just passed over), it goes to the committee's unit the path runs for.
        late = done.open_tasks_behind()
        units = sorted({(t.meta.unit if t.meta else None) or case.unit_id
                        for t in late}) or [done.data.get("committee_unit") or case.unit_id]
        # A person role of one instance of a multi-instance task (each witness's account) is that
        # instance's person: a late witness is reminded, not the case's other witnesses.
        each = [{**parties, **parties_of(t.data)} for t in late] or [parties]
        recipients = sorted({p for role in notice["notify"].split(",") if role.strip() for unit in units
                             for named in each for p in uow.org.resolve(role.strip(), unit, named)})
        kind = notice.get("notice")
        store.record(uow, now, SYSTEM, "notice", case.id, None, notice=kind, roles=notice["notify"],
                     recipients=recipients, spec=done.spec_id, units=units, late_tasks=sorted(t.id for t in late))
        single = late[0] if len(late) == 1 else None
        title = (single.title if single else None) or done.title or "Sag"
        # Only those who may do the late task are sent to it; the others (TR and AMR told of an
        # escalation) are sent to the case, which the access policy lets them follow.
        meta = single.meta if single else None
        actors = set(meta.candidates) if meta else set()
        to_task = [p for p in recipients if p in actors]
        if to_task:
            mail.enqueue(uow, self.settings, now, to_task, kind, case.id, single.id, title)
        mail.enqueue(uow, self.settings, now, [p for p in recipients if p not in actors], kind, case.id, None, title)
        return kind

    def _assign(self, uow: UnitOfWork, case: Case, task: CaseTask, parties: dict[str, str], now: datetime) -> None:
        lane = task.lane
        unit_id = task.data.get("committee_unit") or case.unit_id
        # An instance of a multi-instance task may name its own person (`colleague_id` per witness).
        named = {**parties, **parties_of(task.data)}
        role, candidates = lane, uow.org.resolve(lane, unit_id, named) if lane else []
        if not candidates:
            role, candidates = _fallback(uow, case, task, lane, unit_id, parties, now)
        due = task.due_at()
        task.set_meta(TaskMeta(role, unit_id, tuple(candidates), candidates[0] if len(candidates) == 1 else None,
                               now.isoformat(), due.isoformat() if due else None))
        store.record(uow, now, SYSTEM, "task_created", case.id, task.id, spec=task.spec_id, role=role, unit=unit_id,
                     candidates=candidates)
        if not candidates:
            store.record(uow, now, SYSTEM, "task_unassigned", case.id, task.id, role=role, unit=unit_id)
        mail.enqueue(uow, self.settings, now, candidates, "assigned", case.id, task.id, task.title or task.spec_id)


def check_parties(uow: UnitOfWork, case: Case, data: dict[str, Any]) -> dict[str, str]:
    """The case's parties with those its data names now; InvalidInput for a new one who is no person."""
    parties = {**case.parties, **parties_of(data)}
    for key, person in parties.items():
        if case.parties.get(key) != person and not uow.org.has_person(person):
            raise InvalidInput({key: f"ingen person har id '{person}' (no person with this id)"})
    return parties


def check_named_people(uow: UnitOfWork, values: dict[str, Any]) -> None:
    """InvalidInput for a person-list answer (several witnesses) naming someone who is no person."""
    for key, people in values.items():
        if is_person_list(key) and isinstance(people, list):
            unknown = next((p for p in people if not uow.org.has_person(p)), None)
            if unknown is not None:
                raise InvalidInput({key: f"ingen person har id '{unknown}' (no person with this id)"})


def case_flags(case: Case, data: dict[str, Any], parties: dict[str, str], escalated: bool, completed: bool,
               now: datetime) -> Flags:
    """The case's columns as its data and workflow now say (a pure rule)."""
    values = {"parties": parties, "escalated": escalated,
              # Once serious, always serious: a later task's data cannot take it back.
              "serious": bool(case.serious or data.get("serious")),
              # The affected's wish for confidentiality (K-H7) narrows who sees the case from then on.
              "confidential": bool(case.confidential or data.get("confidential") or data.get("wants_confidentiality"))}
    closed_now = completed and case.status != "closed"
    if closed_now:
        values.update(status="closed", closed_at=now)
    return Flags(values, closed_now)


def saved_info(case: Case, values: dict[str, Any], version: int) -> CaseInfo:
    """The case as this command saved it, without reading it back."""
    merged = {column: values.get(column, getattr(case, column)) for column in
              ("status", "serious", "confidential", "escalated", "parties", "closed_at")}
    return CaseInfo(case.id, case.kind, case.definition.version, case.unit_id, merged["status"], merged["serious"],
                    merged["confidential"], merged["escalated"], dict(merged["parties"]), version, case.created_by,
                    case.created_at, merged["closed_at"])


def _fallback(uow: UnitOfWork, case: Case, task: CaseTask, lane: str, unit_id: str, parties: dict[str, str],
              now: datetime) -> tuple[str, list[str]]:
    """The role and people who take a task whose lane resolves to no one, with an event saying why."""
    for role in fallback_roles(lane):
        candidates = uow.org.resolve(role, unit_id, parties)
        if candidates:
            reason = (f"case_has_no_{lane}" if lane in PERSON_ROLES else f"no_{lane}_in_unit")
            store.record(uow, now, SYSTEM, "task_fallback", case.id, task.id, spec=task.spec_id, lane=lane, role=role,
                         unit=unit_id, reason=reason)
            return role, candidates
    return lane, []
