"""The service layer: every command vaern offers, each one transaction, with `user` and `now` passed in."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.orm import Session

from engine.bpmn import workflow as wf_ops
from engine.bpmn.cache import WorkflowCache
from engine.bpmn.definitions import ParsedDefinition, SpecCache, validate
from engine.bpmn.forms import coerce_values, form_fields
from engine.cases import committees, store, writes
from engine.cases.drafts import DraftCommands
from engine.cases.messages import may_send
from engine.cases.queries import CaseQueries
from engine.cases.results import CaseInfo, DefinitionInfo, TaskInfo
from engine.cases.store import SYSTEM
from engine.cases.timers import TimerCommands
from engine.clock import as_utc, frozen_at
from engine.config import Settings
from engine.db import UnitOfWork, make_engine, session_factory, upgrade_schema
from engine.deployment.service import DeploymentCommands
from engine.errors import (
    CaseNotFound,
    InvalidInput,
    NotAllowed,
    OrganisationError,
    TaskNotFound,
    TaskNotOpen,
    UnknownCaseKind,
    UnknownUnit,
)
from engine.figures import FigureSettings, FiguresService
from engine.identity.passwords import MIN_PASSWORD_LENGTH, check_password, hash_password
from engine.models import Account, Case, Definition, Task
from engine.notify import mail
from engine.notify.service import NoticeQueries
from engine.org import files as org_files
from engine.org.roles import PERSON_ROLES, fallback_roles
from engine.org.snapshot import ORG_REVISION, OrgCache, OrgSnapshot
from engine.privacy.policy import LEADER_RELATIONS
from engine.privacy.service import PrivacyCommands

_PARTY_KEYS = tuple(f"{role}_id" for role in sorted(PERSON_ROLES))
_COMMITTEE_COLLECTION = re.compile(r"^(lmu|hmu|rmu|amg)_units$")
# A task's case (with its definition) and the task's title and state, in one query built once.
# The organisation's revision comes along, so checking this process's org snapshot costs no query of its own.
_TASK_WITH_CASE = (select(Case, Task.title, Task.state, ORG_REVISION.scalar_subquery())
                   .join(Task, Task.case_id == Case.id).where(Task.id == bindparam("task_id")))
# The same for a command that changes the case: its row stays locked until the command ends (store.lock_case).
_TASK_WITH_LOCKED_CASE = _TASK_WITH_CASE.with_for_update(of=Case)


class Vaern(DeploymentCommands, TimerCommands, PrivacyCommands, NoticeQueries, CaseQueries, DraftCommands):
    """The engine's public face: deploy diagrams, run cases, read inboxes. Built by `open_vaern`."""

    def __init__(self, settings: Settings, engine):
        self.settings = settings
        self.db = engine
        self._sessions = session_factory(engine)
        event.listen(self._sessions, "before_commit", writes.flush_queued)
        event.listen(self._sessions, "after_rollback", writes.forget_queued)
        event.listen(self._sessions, "after_commit", self._remember_workflows)
        self._workflows = WorkflowCache(settings.workflow_cache_size)
        self._org_cache = OrgCache()
        self.specs = SpecCache(settings.max_diagram_bytes, settings.timer_limits)
        self._commit_listeners: list = []
        self.figures = FiguresService(self.uow, self._org_cache, FigureSettings(
            settings.figures_threshold, settings.figures_long_open_days, settings.figures_confidential_min_people,
            settings.figures_cache_seconds))

    def _remember_workflows(self, session: Session) -> None:
        for case_id, version, workflow, projection in session.info.pop("vaern_saved_workflows", []):
            self._workflows.put(case_id, version, (workflow, projection))

    def after_commit(self, callback) -> None:
        """Call `callback()` after every committed command (a scheduler re-arms its wake-up there)."""
        self._commit_listeners.append(callback)

    def _committed(self) -> None:
        for callback in list(self._commit_listeners):
            callback()

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        return UnitOfWork(self._sessions, after_commit=self._committed)

    def _org(self, s: Session) -> OrgSnapshot:
        # Looked up once per command: every resolution in it then sees the same organisation.
        snapshot = s.info.get("vaern_org")
        if snapshot is None:
            snapshot = s.info["vaern_org"] = self._org_cache.current(s, s.info.get("vaern_org_revision"))
        return snapshot

    # -- definitions -------------------------------------------------------------------------

    def deploy(self, data: bytes, filename: str, user: str, now: datetime) -> DefinitionInfo:
        """Validate a diagram and store it as the newest version of its case kind (same bytes: no-op)."""
        now = as_utc(now)
        parsed = validate(data, filename, self.settings.max_diagram_bytes, self.settings.timer_limits)
        with self.uow() as uow:
            s = uow.session
            existing = s.scalar(select(Definition).where(Definition.content_hash == parsed.content_hash))
            if existing is not None:
                return _definition_info(existing, created=False)
            latest = s.scalar(select(func.max(Definition.version)).where(Definition.kind == parsed.kind)) or 0
            row = Definition(kind=parsed.kind, version=latest + 1, name=parsed.name,
                             content_hash=parsed.content_hash, filename=Path(filename).name,
                             xml=parsed.xml, deployed_at=now, deployed_by=user)
            s.add(row)
            s.flush()
            store.record(s, now, user, "definition_deployed", kind=parsed.kind, version=row.version,
                         content_hash=parsed.content_hash)
            uow.commit()
        self.specs.put(parsed)
        return _definition_info(row)

    def definitions(self) -> list[DefinitionInfo]:
        """Every deployed version, newest first within each kind."""
        with self.uow() as uow:
            rows = uow.session.scalars(select(Definition).order_by(Definition.kind, Definition.version.desc()))
            return [_definition_info(r) for r in rows]

    def _parsed(self, definition: Definition) -> ParsedDefinition:
        # The XML column is deferred: it is read only when this process has not parsed the version yet.
        return self.specs.get(definition.content_hash, lambda: definition.xml, definition.filename)

    # -- organisation ------------------------------------------------------------------------

    def import_org(self, path: Path, user: str, now: datetime) -> dict[str, int]:
        """Import units, people and role holders from a YAML or CSV file; all or nothing."""
        org_file = org_files.read_org_file(path)
        with self.uow() as uow:
            problems = org_files.check_org(uow.session, org_file)
            if problems:
                raise OrganisationError(problems)
            counts = org_files.apply_org(uow.session, org_file)
            store.record(uow.session, as_utc(now), user, "org_imported", file=path.name, **counts)
            uow.commit()
        return counts

    def set_password(self, person_id: str, password: str, now: datetime, admin: bool | None = None,
                     process_owner: bool | None = None, user: str = "admin") -> None:
        """Create or change a person's local account; optionally grant or remove admin/process-owner."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput({"password": f"mindst {MIN_PASSWORD_LENGTH} tegn (at least {MIN_PASSWORD_LENGTH} characters)"})
        with self.uow() as uow:
            s = uow.session
            self._org(s).require_people([person_id])
            account = s.get(Account, person_id) or Account(person_id=person_id, is_admin=False, is_process_owner=False,
                                                           session_generation=0)
            if account.password_hash and not check_password(account.password_hash, password):
                # A new password ends every session made with the old one (setting the same one again changes
                # only the roles given with it).
                account.session_generation = (account.session_generation or 0) + 1
            account.password_hash = hash_password(password)
            if admin is not None:
                account.is_admin = admin
            if process_owner is not None:
                account.is_process_owner = process_owner
            s.add(account)
            s.flush()
            store.record(s, as_utc(now), user, "account_set", person=person_id, admin=account.is_admin,
                         process_owner=account.is_process_owner)
            uow.commit()

    def end_sessions(self, person_id: str, user: str, now: datetime) -> None:
        """End every session of a person at once (log-out, or an administrator's "log this person out")."""
        with self.uow() as uow:
            s = uow.session
            self._org(s).require_people([person_id])
            s.execute(update(Account).where(Account.person_id == person_id)
                      .values(session_generation=Account.session_generation + 1))
            store.record(s, as_utc(now), user, "sessions_ended", person=person_id)
            uow.commit()

    def resolve(self, role: str, unit_id: str, parties: dict[str, Any] | None = None) -> list[str]:
        """Who would get a task of `role` in a case of `unit_id` with these parties."""
        with self.uow() as uow:
            return self._org(uow.session).resolve(role, unit_id, parties or {})

    # -- cases -------------------------------------------------------------------------------

    def start_case(self, kind: str, unit_id: str, data: dict[str, Any], user: str, now: datetime,
                   on_started: Callable[[Session, CaseInfo], None] | None = None) -> CaseInfo:
        """Start a case of `kind` in a unit with its initial data, on the newest diagram version.

        `on_started(session, info)` runs in the same transaction before it commits; raising there undoes
        the start (the yearly MED round uses it to start at most one round a year).
        """
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            definition = s.scalar(select(Definition).where(Definition.kind == kind)
                                  .order_by(Definition.version.desc()).limit(1))
            if definition is None:
                raise UnknownCaseKind(f"no diagram is deployed for the case kind '{kind}'")
            if not self._org(s).has_unit(unit_id):
                raise UnknownUnit(f"no unit with id '{unit_id}'")
            parties = _parties(data)
            self._org(s).require_people(list(parties.values()))
            parsed = self._parsed(definition)
            missing = [name for name in parsed.starts_with if not data.get(name)]
            if missing:
                raise InvalidInput({name: "skal angives, når sagen startes (required to start the case)" for name in missing})
            # `serious` is always a case variable, so a gateway after any deadline may read it.
            initial = {**parsed.settings, **self._committee_lists(s, parsed, unit_id), "serious": False, **data,
                       "case_unit": unit_id}
            with frozen_at(now):
                workflow = wf_ops.start(parsed, initial)
                case = Case(kind=kind, definition_id=definition.id, unit_id=unit_id, status="open",
                            serious=bool(data.get("serious")), confidential=bool(data.get("confidential")),
                            escalated=False, parties={}, state="{}", version=0, created_by=user,
                            created_at=now, updated_at=now)
                s.add(case)
                s.flush()
                store.remember_loaded(s, case.id, store.Projection({}, frozenset(), {}))  # a new case has no rows
                store.record(s, now, user, "case_started", case.id, kind=kind, role="reporter",
                             definition_version=definition.version, unit=unit_id)
                info = self._after_step(s, case, parsed, workflow, set(), user, now)
            if on_started is not None:
                on_started(s, info)
            uow.commit()
            return info

    def _committee_lists(self, s: Session, parsed: ParsedDefinition, unit_id: str) -> dict[str, list[str]]:
        # A multi-instance task over `lmu_units` (etc.) gets the units in the case's subtree holding that role.
        lists = {}
        for task_spec in parsed.spec.task_specs.values():
            collection = getattr(getattr(task_spec, "data_output", None), "bpmn_id", None) or \
                getattr(task_spec, "cardinality", None)
            match = _COMMITTEE_COLLECTION.match(collection) if isinstance(collection, str) else None
            if match:
                lists[collection] = self._org(s).units_holding(match.group(1), unit_id)
        return lists

    def complete_task(self, task_id: str, values: dict[str, Any], user: str, now: datetime) -> CaseInfo:
        """Complete an open task with form values typed and checked against its fields."""
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            case, parsed, workflow, task = self._load_task(s, task_id)
            meta = task.internal_data[wf_ops.VAERN_KEY]
            _require_may_act(meta, user)
            before = wf_ops.completed_ids(workflow)
            with frozen_at(now):
                typed = coerce_values(form_fields(task.task_spec), values, task.data)
                meta.update(completed_by=user, completed_at=now.isoformat(), assignee=meta.get("assignee") or user)
                wf_ops.complete(workflow, task, typed)
                store.record(s, now, user, "task_completed", case.id, task_id, spec=task.task_spec.bpmn_id,
                             role=meta["role"], title=task.task_spec.bpmn_name, fields=sorted(typed))
                info = self._after_step(s, case, parsed, workflow, before | {task.id}, user, now)
            uow.commit()
            return info

    def claim(self, task_id: str, user: str, now: datetime) -> TaskInfo:
        """Take an open task that several people could do, so it is yours alone."""
        return self._set_assignee(task_id, user, user, "task_claimed", now)

    def release(self, task_id: str, user: str, now: datetime) -> TaskInfo:
        """Give back a task you claimed, so every candidate sees it again."""
        return self._set_assignee(task_id, None, user, "task_released", now)

    def _set_assignee(self, task_id: str, assignee: str | None, user: str, action: str, now: datetime) -> TaskInfo:
        now = as_utc(now)
        with self.uow() as uow:
            s = uow.session
            case, parsed, workflow, task = self._load_task(s, task_id)
            meta = task.internal_data[wf_ops.VAERN_KEY]
            if assignee is not None:
                _require_may_act(meta, user)
            elif meta.get("assignee") != user:
                raise NotAllowed("only the person who claimed the task can release it")
            meta["assignee"] = assignee
            self._save(s, case, workflow, {}, now)
            store.record(s, now, user, action, case.id, task_id, role=meta["role"])
            uow.commit()
            return self._task_info(s, task_id)

    def send_message(self, case_id: int, name: str, payload: dict[str, Any], user: str, now: datetime) -> CaseInfo:
        """Deliver a named message to a case (e.g. complaint_withdrawn) if the case is waiting for it."""
        now = as_utc(now)
        if not may_send(name, self.involvement(user, case_id), user):
            raise NotAllowed(f"you may not send '{name}' into case {case_id}")
        with self.uow() as uow:
            s = uow.session
            case, parsed, workflow = self._load_case(s, case_id)
            if case.status != "open":
                raise InvalidInput({"message": f"case {case_id} is closed"})
            with frozen_at(now):
                waiting = wf_ops.waiting_message_names(workflow)
                if name not in waiting:
                    expected = ", ".join(sorted(waiting)) or "none"
                    raise InvalidInput({"message": f"case {case_id} is not waiting for '{name}' (it waits for: {expected})"})
                before = wf_ops.completed_ids(workflow)
                wf_ops.deliver_message(workflow, name, payload)
                store.record(s, now, user, "message_delivered", case.id, message=name)
                info = self._after_step(s, case, parsed, workflow, before, user, now)
            uow.commit()
            return info

    def mark_serious(self, case_id: int, severity: int, user: str, now: datetime) -> CaseInfo:
        """A leader of the case marks it serious with a severity 1-5 (GEN-1, K-S5): from then on every
        deadline of the case escalates as the diagram says for serious cases."""
        now = as_utc(now)
        if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 5:
            raise InvalidInput({"severity": "vælg en alvorlighed fra 1 til 5 (choose a severity from 1 to 5)"})
        if not self.involvement(user, case_id) & LEADER_RELATIONS:
            raise NotAllowed("only the case's leader or the leader's leader can mark the case serious")
        with self.uow() as uow:
            s = uow.session
            case, parsed, workflow = self._load_case(s, case_id)
            if case.status != "open":
                raise InvalidInput({"severity": f"sag {case_id} er afsluttet (the case is closed)"})
            with frozen_at(now):
                before = wf_ops.completed_ids(workflow)
                # Written into every task still to run, so the gateways after a deadline read it.
                wf_ops.set_case_variables(workflow, serious=True, severity=severity)
                store.record(s, now, user, "case_marked_serious", case.id, severity=severity,
                             was_serious=case.serious)
                info = self._after_step(s, case, parsed, workflow, before, user, now)
            uow.commit()
            return info

    # -- the step bookkeeping ----------------------------------------------------------------

    def _after_step(self, s: Session, case: Case, parsed: ParsedDefinition, workflow, before: set,
                    actor: str, now: datetime) -> None:
        """After the workflow moved: record notices, assign new tasks, update flags, save."""
        data = wf_ops.case_data(workflow)
        parties = {**case.parties, **_parties(data)}
        for key, person in parties.items():
            if case.parties.get(key) != person and not self._org(s).has_person(person):
                raise InvalidInput({key: f"ingen person har id '{person}' (no person with this id)"})
        escalated = case.escalated
        tasks = wf_ops.all_tasks(workflow)
        for done in wf_ops.completed_since(tasks, before):
            notice = parsed.notices.get(done.task_spec.bpmn_id)
            if notice:
                # A notice about a late task goes to the roles of the units those tasks are for: a late
                # LMU's reminder reaches that LMU, its escalation the HMU above it. With no task open behind
                # it (a committee just passed over), it goes to the committee's unit the path runs for.
                late = wf_ops.open_tasks_behind(done)
                units = sorted({t.internal_data.get(wf_ops.VAERN_KEY, {}).get("unit") or case.unit_id
                                for t in late}) or [done.data.get("committee_unit") or case.unit_id]
                recipients = sorted({p for role in notice["notify"].split(",") if role.strip() for unit in units
                                     for p in self._org(s).resolve(role.strip(), unit, parties)})
                store.record(s, now, SYSTEM, "notice", case.id, None, notice=notice.get("notice"),
                             roles=notice["notify"], recipients=recipients, spec=done.task_spec.bpmn_id,
                             units=units, late_tasks=sorted(str(t.id) for t in late))
                single = late[0] if len(late) == 1 else None
                title = (single.task_spec.bpmn_name if single else None) or done.task_spec.bpmn_name or "Sag"
                # Only those who may do the late task are sent to it; the others (TR and AMR told of an
                # escalation) are sent to the case, which the access policy lets them follow.
                actors = set(single.internal_data.get(wf_ops.VAERN_KEY, {}).get("candidates", [])) if single else set()
                to_task = [p for p in recipients if p in actors]
                if to_task:
                    mail.enqueue(s, self.settings, self._org(s), now, to_task, notice.get("notice"), case.id,
                                   str(single.id), title)
                mail.enqueue(s, self.settings, self._org(s), now, [p for p in recipients if p not in actors],
                               notice.get("notice"), case.id, None, title)
                if notice.get("notice") == "escalated" and not escalated:
                    escalated = True
                    store.record(s, now, SYSTEM, "case_escalated", case.id, None, spec=done.task_spec.bpmn_id)
        committees.note_passed_over(s, self._org(s), case, parsed, tasks, before, now)
        for task in wf_ops.ready_user_tasks(tasks):
            if wf_ops.VAERN_KEY not in task.internal_data:
                self._assign(s, case, task, parties, now)
        closed = wf_ops.is_completed(workflow)
        values = {"parties": parties, "escalated": escalated,
                  # Once serious, always serious: a later task's data cannot take it back.
                  "serious": bool(case.serious or data.get("serious")),
                  # The affected's wish for confidentiality (K-H7) narrows who sees the case from then on.
                  "confidential": bool(case.confidential or data.get("confidential") or data.get("wants_confidentiality"))}
        if closed and case.status != "closed":
            values.update(status="closed", closed_at=now)
            store.record(s, now, actor, "case_closed", case.id)
        # Only what changed is written (the state and version always are).
        changed = {column: value for column, value in values.items() if getattr(case, column) != value}
        version = self._save(s, case, workflow, changed, now)
        return _saved_info(s, case, values, version, now)

    def _save(self, s: Session, case: Case, workflow, values: dict[str, Any], now: datetime) -> int:
        version, projection = store.save_case(s, case, workflow, values, now)
        # Kept for the next command on this case once (and only if) this one commits.
        s.info.setdefault("vaern_saved_workflows", []).append((case.id, version, workflow, projection))
        return version

    def _assign(self, s: Session, case: Case, task, parties: dict[str, Any], now: datetime) -> None:
        lane = task.task_spec.lane or ""
        unit_id = task.data.get("committee_unit") or case.unit_id
        role, candidates = lane, self._org(s).resolve(lane, unit_id, parties) if lane else []
        if not candidates:
            role, candidates = self._fallback(s, case, task, lane, unit_id, parties, now)
        due = _due_at(task)
        task.internal_data[wf_ops.VAERN_KEY] = {
            "role": role, "unit": unit_id, "candidates": candidates,
            "assignee": candidates[0] if len(candidates) == 1 else None,
            "created_at": now.isoformat(), "due_at": due.isoformat() if due else None,
        }
        store.record(s, now, SYSTEM, "task_created", case.id, str(task.id), spec=task.task_spec.bpmn_id,
                     role=role, unit=unit_id, candidates=candidates)
        if not candidates:
            store.record(s, now, SYSTEM, "task_unassigned", case.id, str(task.id), role=role, unit=unit_id)
        mail.enqueue(s, self.settings, self._org(s), now, candidates, "assigned", case.id, str(task.id),
                       task.task_spec.bpmn_name or task.task_spec.bpmn_id)

    def _fallback(self, s: Session, case: Case, task, lane: str, unit_id: str, parties: dict[str, Any],
                  now: datetime) -> tuple[str, list[str]]:
        """The role and people who take a task whose lane resolves to no one, with an event saying why."""
        for role in fallback_roles(lane):
            candidates = self._org(s).resolve(role, unit_id, parties)
            if candidates:
                reason = (f"case_has_no_{lane}" if lane in PERSON_ROLES else f"no_{lane}_in_unit")
                store.record(s, now, SYSTEM, "task_fallback", case.id, str(task.id), spec=task.task_spec.bpmn_id,
                             lane=lane, role=role, unit=unit_id, reason=reason)
                return role, candidates
        return lane, []

    # -- loading -----------------------------------------------------------------------------

    def _load_case(self, s: Session, case_id: int, lock: bool = True):
        # A command locks the case before it reads it, so commands on one case never overtake each other;
        # a read (lock=False) takes the case as it stands.
        case = store.lock_case(s, case_id) if lock else store.get_case(s, case_id)
        return self._with_workflow(s, case)

    def _with_workflow(self, s: Session, case: Case):
        if case.status == "purged":  # its state is gone: no command can act on it, and none may learn more
            raise CaseNotFound(f"no case with id {case.id}")
        parsed = self._parsed(case.definition)
        # A workflow this process saved at exactly this version needs no deserializing; the entry is
        # taken out, so a command that fails half-way never leaves a half-changed workflow behind.
        workflow, projection = self._take_workflow(case, parsed)
        if projection is None:  # deserialized here, or cached by a read that did not need it
            projection = store.project(case.id, workflow)
        store.remember_loaded(s, case.id, projection)
        return case, parsed, workflow

    def _take_workflow(self, case: Case, parsed: ParsedDefinition):
        # The (workflow, projection or None) saved at the case's version, out of the cache, or deserialized.
        entry = self._workflows.take(case.id, case.version)
        return entry if entry is not None else (wf_ops.loads(case.state, parsed), None)

    def _read_workflow(self, case: Case, read):
        """`read(workflow)` on the case's workflow without changing it: the cached one when this process
        has it at the case's version (taken out meanwhile, so no command changes it under the reader),
        else deserialized and then kept for the next command on the case."""
        workflow, projection = self._take_workflow(case, self._parsed(case.definition))
        try:
            return read(workflow)
        finally:
            self._workflows.put_back(case.id, case.version, (workflow, projection))

    def _give_back(self, s: Session, case: Case, workflow) -> None:
        # A command that only read the workflow returns it, so the next one on the case need not
        # deserialize it again (the web's task page, then the completion).
        self._workflows.put_back(case.id, case.version, (workflow, store.loaded_projection(s, case.id)))

    def _load_task(self, s: Session, task_id: str, lock: bool = True):
        # The case (with its definition) and the task's row in one query; a command locks the case with it.
        parameters = {"task_id": task_id}
        found = (store.execute_locked(s, _TASK_WITH_LOCKED_CASE, parameters) if lock
                 else s.execute(_TASK_WITH_CASE, parameters)).first()
        if found is None:
            raise TaskNotFound(f"no task with id '{task_id}'")
        s.info["vaern_org_revision"] = found[3] or ""
        case, parsed, workflow = self._with_workflow(s, found[0])
        task = wf_ops.find_task(workflow, task_id)
        if task is None or wf_ops.state_name(task) != "READY" or wf_ops.VAERN_KEY not in task.internal_data:
            title, state = found[1], found[2]
            raise TaskNotOpen(f"the task '{title}' is already {state if state != 'open' else 'done'}")
        return case, parsed, workflow, task

def _saved_info(s: Session, case: Case, values: dict[str, Any], version: int, now: datetime) -> CaseInfo:
    """The case as this command saved it, without reading it back."""
    merged = {column: values.get(column, getattr(case, column)) for column in
              ("status", "serious", "confidential", "escalated", "parties", "closed_at")}
    return CaseInfo(case.id, case.kind, case.definition.version, case.unit_id, merged["status"], merged["serious"],
                    merged["confidential"], merged["escalated"], dict(merged["parties"]), version, case.created_by,
                    case.created_at, merged["closed_at"])


def _parties(data: dict[str, Any]) -> dict[str, str]:
    return {key: str(data[key]) for key in _PARTY_KEYS if data.get(key)}


def _require_may_act(meta: dict[str, Any], user: str) -> None:
    assignee = meta.get("assignee")
    if assignee is not None and assignee != user:
        raise NotAllowed("the task is assigned to someone else")
    if assignee is None and user not in meta.get("candidates", []):
        raise NotAllowed("the task is not yours: you hold none of the roles it is for")


def _due_at(task) -> datetime | None:
    # The task is due when the attached timer that acts on it fires: an interrupting one first,
    # else the last non-interrupting one (a reminder comes before the escalation that marks it overdue).
    timers = [(wf_ops.timer_due(t), wf_ops.is_interrupting(t)) for t in wf_ops.attached_timers(task)]
    timers = [(due, interrupting) for due, interrupting in timers if due is not None]
    if not timers:
        return None
    interrupting = [due for due, flag in timers if flag]
    return min(interrupting) if interrupting else max(due for due, _ in timers)


def _definition_info(row: Definition, created: bool = True) -> DefinitionInfo:
    return DefinitionInfo(row.id, row.kind, row.version, row.name, row.content_hash, row.deployed_at,
                          row.deployed_by, created)


def open_vaern(settings: Settings | None = None, migrate: bool = True) -> Vaern:
    """Connect to the database, bring its schema up to date and return the service."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    if migrate:
        upgrade_schema(engine)
    return Vaern(settings, engine)
