"""The SpiffWorkflow wrapper: `CaseWorkflow` and `CaseTask` are what the rest of vaern moves and reads.

Outside engine/bpmn/ no code touches SpiffWorkflow's objects: the services get a `CaseWorkflow` (start,
step, complete, catch a message, serialize) and its `CaseTask`s (element, name, lane, form, data, state
and vaern's `TaskMeta`). The functions below are the operations themselves, for this package and the
diagram tests. Everything runs with the restricted script engine, and timers see the command's `now`
through `clock.frozen_at`.
"""
from __future__ import annotations

import json
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import spiff_time  # noqa: F401  (SpiffWorkflow's timers see the command's time)
from engine.bpmn.definitions import ParsedDefinition
from engine.bpmn.forms import FormField, form_fields
from engine.bpmn.timer_guard import guarded_script_engine
from engine.clock import as_utc
from engine.errors import ExpressionError, VaernError

VAERN_KEY = "vaern"  # our bookkeeping in a Spiff task's internal_data (assignment, completion)


class WorkflowError(VaernError):
    """The diagram could not go on (an expression failed, a variable was missing …)."""


class _CaseWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out of a case's state: it is stored once per definition version."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs"), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = _CaseWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


@dataclass(frozen=True)
class TaskMeta:
    """What vaern keeps on a user task besides SpiffWorkflow's own state: who it is for and what became of it.

    Stored in the task's internal data under VAERN_KEY as a plain dict (the same keys since the first
    version), so it travels with the serialized workflow.
    """

    role: str
    unit: str
    candidates: tuple[str, ...]
    assignee: str | None = None
    created_at: str | None = None
    due_at: str | None = None
    completed_by: str | None = None
    completed_at: str | None = None

    def may_act(self, person_id: str) -> bool:
        """Whether the person may do the task: its assignee, or any candidate while nobody has claimed it."""
        return self.assignee == person_id if self.assignee is not None else person_id in self.candidates


def task_meta(task: SpiffTask) -> TaskMeta | None:
    """vaern's record on a user task, or None for a task nobody was assigned to yet."""
    stored = task.internal_data.get(VAERN_KEY)
    if stored is None:
        return None
    return TaskMeta(stored["role"], stored["unit"], tuple(stored.get("candidates") or ()), stored.get("assignee"),
                    stored.get("created_at"), stored.get("due_at"), stored.get("completed_by"),
                    stored.get("completed_at"))


def set_task_meta(task: SpiffTask, meta: TaskMeta) -> None:
    """Write vaern's record on a user task (replacing what was there)."""
    task.internal_data[VAERN_KEY] = {
        "role": meta.role, "unit": meta.unit, "candidates": list(meta.candidates), "assignee": meta.assignee,
        "created_at": meta.created_at, "due_at": meta.due_at,
        **({"completed_by": meta.completed_by, "completed_at": meta.completed_at} if meta.completed_by else {}),
    }


@dataclass(frozen=True)
class PendingTimer:
    """A timer the case waits on: the Spiff task id, its element id and when it falls due."""

    task_id: str
    spec_id: str
    due_at: datetime


def start(parsed: ParsedDefinition, data: dict[str, Any]) -> BpmnWorkflow:
    """A new workflow of the definition with `data` as its start variables, run to its first wait."""
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs,
                            script_engine=guarded_script_engine(parsed.timer_expressions, parsed.timer_limits))
    start_task = workflow.get_next_task(spec_name="Start")
    start_task.data.update(data)
    advance(workflow)
    return workflow


def advance(workflow: BpmnWorkflow) -> None:
    """Run engine steps (automatic tasks, gateways, due timers) until only people or time can move it."""
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except ExpressionError as exc:
        raise WorkflowError(f"the diagram could not go on: {exc}") from exc
    except SpiffWorkflowException as exc:
        raise WorkflowError(f"the diagram could not go on: {_reason(exc)}") from exc


def _reason(exc: Exception) -> str:
    # SpiffWorkflow wraps the evaluator's error ("Error evaluating expression 'wait'"); say what it was.
    inner = exc.__cause__ or exc.__context__
    return f"{str(exc).strip()} {inner}" if isinstance(inner, ExpressionError) else str(exc)


def all_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """Every task of the workflow (subprocesses included), in tree order: walk once, then filter."""
    return workflow.get_tasks()


def ready_user_tasks(tasks: list[SpiffTask]) -> list[SpiffTask]:
    """Of `tasks`, the user tasks waiting for a person."""
    return [t for t in tasks if t.state == TaskState.READY and t.task_spec.manual]


_HISTORY_STATES = TaskState.READY | TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR


def user_tasks(tasks: list[SpiffTask]) -> Iterator[SpiffTask]:
    """Of `tasks`, the user tasks that are ready, completed or cancelled (the ones a person sees in history)."""
    return (t for t in tasks if t.state & _HISTORY_STATES and t.task_spec.manual)


def state_name(task: SpiffTask) -> str:
    """The task's state as SpiffWorkflow names it (READY, COMPLETED, CANCELLED …)."""
    return TaskState.get_name(task.state)


def _boundary_split(task: SpiffTask) -> SpiffTask | None:
    # A user task's boundary events hang off a BoundaryEventSplit: its parent, or its grandparent when
    # the task is one instance of a multi-instance task; a boundary event's notice path sits below it.
    current = task.parent
    while current is not None:
        if current.task_spec.name.endswith(".BoundaryEventSplit"):
            return current
        current = current.parent
    return None


def attached_timers(task: SpiffTask) -> list[SpiffTask]:
    """The waiting timer events on the boundary of a user task (or of its multi-instance parent)."""
    split = task.parent
    for _ in range(2):
        if split is None or split.task_spec.name.endswith(".BoundaryEventSplit"):
            break
        split = split.parent
    if split is None or not split.task_spec.name.endswith(".BoundaryEventSplit"):
        return []
    return [t for t in split.children if t.state == TaskState.WAITING
            and isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)]


def open_tasks_behind(event_task: SpiffTask) -> list[SpiffTask]:
    """The still-open user tasks whose boundary event led to `event_task` (e.g. the late committees)."""
    split = _boundary_split(event_task)
    if split is None:
        return []
    return [t for t in split if t.state == TaskState.READY and t.task_spec.manual]


def timer_due(task: SpiffTask) -> datetime | None:
    """When a waiting timer task falls due, if it has been armed."""
    definition = task.task_spec.event_definition
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        return as_utc(datetime.fromisoformat(value["next"]))
    return as_utc(TimerEventDefinition.get_datetime(value))


def is_timer(task: SpiffTask) -> bool:
    """True for a task that is a timer event."""
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def is_interrupting(timer_task: SpiffTask) -> bool:
    """True for a boundary timer that cancels the task it sits on."""
    return bool(getattr(timer_task.task_spec, "cancel_activity", True))


def find_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    """The Spiff task with this id, or None."""
    from uuid import UUID

    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, SpiffWorkflowException):
        return None


def complete(workflow: BpmnWorkflow, task: SpiffTask, values: dict[str, Any]) -> None:
    """Store form values in the task's data, complete it and move the workflow on."""
    task.data.update(values)
    try:
        task.run()
    except (ExpressionError, SpiffWorkflowException) as exc:
        raise WorkflowError(f"the task could not be completed: {_reason(exc)}") from exc
    advance(workflow)


def deliver_message(workflow: BpmnWorkflow, name: str, payload: dict[str, Any]) -> None:
    """Deliver a named message (e.g. complaint_withdrawn) with a payload into `message_data`."""
    event = BpmnEvent(MessageEventDefinition(name), payload={"payload": payload, "result_var": "message_data"})
    workflow.catch(event)
    advance(workflow)


_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR
_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def set_case_variables(workflow: BpmnWorkflow, **values: Any) -> None:
    """Set case variables from outside a form: in every task still to run, so later steps read them."""
    for task in workflow.get_tasks():
        if not task.state & _FINISHED:
            task.data.update(values)
            # A waiting task takes its parent's data again when it becomes ready (a boundary timer from
            # its task's finished split, a catch event from the gateway before it), and the parent's
            # values win: the parent must say the same, or a deadline after the mark reads the old value.
            if task.parent is not None and task.parent.state & _FINISHED:
                task.parent.data.update(values)
    for task in _branch_tips(workflow):
        task.data.update(values)  # what `case_data` reads until the next step
    if workflow.last_task is not None:
        workflow.last_task.data.update(values)


def waiting_message_names(workflow: BpmnWorkflow) -> set[str]:
    """Names of the messages the workflow would catch now."""
    names = {event.name for event in workflow.waiting_events() if event.event_type.endswith("MessageEventDefinition")}
    if any(event.event_type == "MultipleEventDefinition" for event in workflow.waiting_events()):
        # An event-based gateway waits for all of its events under one definition with no name of its own.
        for task in (t for t in workflow.get_tasks() if t.state == TaskState.WAITING):  # sub-processes too
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, MultipleEventDefinition):
                names.update(d.name for d in definition.event_definitions if isinstance(d, MessageEventDefinition))
    return names


def pending_timers(tasks: list[SpiffTask]) -> list[PendingTimer]:
    """Of `tasks`, every timer the workflow waits on, with its due time."""
    timers = []
    for task in (t for t in tasks if t.state == TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        due = timer_due(task)
        if due is not None:
            timers.append(PendingTimer(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, due))
    return timers


def completed_since(tasks: list[SpiffTask], known: set[UUID]) -> list[SpiffTask]:
    """Of `tasks`, the completed ones whose ids are not in `known` (what the last step did)."""
    return [t for t in tasks if t.state == TaskState.COMPLETED and t.id not in known]


def completed_ids(workflow: BpmnWorkflow) -> set[UUID]:
    """Ids of every completed task (as SpiffWorkflow's UUIDs: no string conversions on the hot path).

    Filtered by state, SpiffWorkflow's walk does not enter a sub-process that is still running, so the
    tasks done inside it (a witness's reminder) would look new after every step and be noticed again.
    """
    return {t.id for t in workflow.get_tasks() if t.state == TaskState.COMPLETED}


def _branch_tips(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """The latest task of every branch, oldest first: what is open or waiting, and each finished step no
    later step came out of (a branch that ended, a listener that caught its message)."""
    tips = [t for t in workflow.get_tasks() if t.state & _OPEN
            or (t.state == TaskState.COMPLETED and not any(c.state == TaskState.COMPLETED for c in t.children))]
    return sorted(tips, key=lambda t: t.last_state_change)


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case variables as they stand: every branch's latest data merged, the last completed step's last.

    Parallel branches carry data of their own (a witness's account, a listener's message); reading only
    the last completed task would lose what the other branches were told.
    """
    merged: dict[str, Any] = {}
    for task in _branch_tips(workflow):
        merged.update(task.data)
    if workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    if workflow.is_completed():
        merged.update(workflow.data)
    return merged


def element_states(workflow: BpmnWorkflow) -> tuple[frozenset[str], frozenset[str]]:
    """Diagram element ids that have completed, and those waiting now (open tasks, timers, messages)."""
    completed, current = set(), set()
    for task in workflow.get_tasks():
        bpmn_id = task.task_spec.bpmn_id
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            completed.add(bpmn_id)
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            current.add(bpmn_id)
    return frozenset(completed), frozenset(current)


def is_completed(workflow: BpmnWorkflow) -> bool:
    """True when the workflow has reached its end."""
    return workflow.is_completed()


def dumps(workflow: BpmnWorkflow) -> str:
    """The workflow's state as JSON, without its spec."""
    _SERIALIZER.registry._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
    finally:
        _SERIALIZER.registry._encoder_mode = False
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))


def loads(state: str, parsed: ParsedDefinition) -> BpmnWorkflow:
    """Rebuild a workflow from `dumps` output and its definition's spec."""
    dct = json.loads(state, cls=_SERIALIZER.json_decoder_cls)
    _SERIALIZER.migrate(dct)
    dct["spec"] = parsed.spec
    dct["subprocess_specs"] = parsed.subprocess_specs
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = guarded_script_engine(parsed.timer_expressions, parsed.timer_limits)
    return workflow


class CaseTask:
    """One task of a case's workflow as vaern sees it: its element, name, lane, form, data, state and vaern's record.

    A view on SpiffWorkflow's task: its data is the task's own, so what is written there is what the
    workflow carries on.
    """

    __slots__ = ("_task",)

    def __init__(self, task: SpiffTask):
        self._task = task

    def __eq__(self, other) -> bool:
        return isinstance(other, CaseTask) and other._task is self._task

    def __hash__(self) -> int:
        return hash(self._task.id)

    @property
    def uuid(self) -> UUID:
        """SpiffWorkflow's id of the task (compared without converting it to text on the hot path)."""
        return self._task.id

    @property
    def id(self) -> str:
        """The task's id as vaern's tables and pages use it."""
        return str(self._task.id)

    @property
    def spec_id(self) -> str:
        """The diagram element the task runs (its BPMN id)."""
        return self._task.task_spec.bpmn_id or self._task.task_spec.name

    @property
    def title(self) -> str | None:
        """The element's name in the diagram, if it has one."""
        return self._task.task_spec.bpmn_name

    @property
    def lane(self) -> str:
        """The lane (a role key) the element lies in; empty when in none."""
        return self._task.task_spec.lane or ""

    @property
    def documentation(self) -> str | None:
        """The element's documentation (the task's instructions)."""
        return self._task.task_spec.documentation

    @property
    def fields(self) -> tuple[FormField, ...]:
        """The form fields the element asks (none for a task that is not a user task)."""
        return tuple(form_fields(self._task.task_spec))

    @property
    def data(self) -> dict[str, Any]:
        """The task's variables: what the case knows at this step."""
        return self._task.data

    @property
    def state(self) -> str:
        """SpiffWorkflow's state name: READY, WAITING, COMPLETED, CANCELLED …"""
        return state_name(self._task)

    @property
    def is_user_task(self) -> bool:
        """True for a task a person does."""
        return bool(self._task.task_spec.manual)

    @property
    def is_timer(self) -> bool:
        """True for a timer event."""
        return is_timer(self._task)

    @property
    def meta(self) -> TaskMeta | None:
        """vaern's record on a user task (who it is for and what became of it), or None before it was assigned."""
        return task_meta(self._task)

    def set_meta(self, meta: TaskMeta) -> None:
        """Write vaern's record on the task."""
        set_task_meta(self._task, meta)

    def due_at(self) -> datetime | None:
        """When a user task is due: when the attached timer that acts on it fires.

        An interrupting timer first, else the last non-interrupting one (a reminder comes before the
        escalation that marks it overdue).
        """
        timers = [(timer_due(t), is_interrupting(t)) for t in attached_timers(self._task)]
        timers = [(due, interrupting) for due, interrupting in timers if due is not None]
        if not timers:
            return None
        interrupting = [due for due, flag in timers if flag]
        return min(interrupting) if interrupting else max(due for due, _ in timers)

    def open_tasks_behind(self) -> list["CaseTask"]:
        """For an event a boundary timer led to: the still-open user tasks it sat on (e.g. the late committees)."""
        return [CaseTask(t) for t in open_tasks_behind(self._task)]


class CaseWorkflow:
    """A case's running workflow: the named operations vaern performs on SpiffWorkflow's BpmnWorkflow."""

    __slots__ = ("_workflow",)

    def __init__(self, workflow: BpmnWorkflow):
        self._workflow = workflow

    @classmethod
    def start(cls, parsed: ParsedDefinition, data: dict[str, Any]) -> "CaseWorkflow":
        """A new workflow of the definition with `data` as its start variables, run to its first wait."""
        return cls(start(parsed, data))

    @classmethod
    def loads(cls, state: str, parsed: ParsedDefinition) -> "CaseWorkflow":
        """The workflow a case's stored state stands for, on the given diagram version."""
        return cls(loads(state, parsed))

    def dumps(self) -> str:
        """The workflow's state as JSON, without its spec."""
        return dumps(self._workflow)

    @property
    def spiff(self) -> BpmnWorkflow:
        """SpiffWorkflow's own workflow, for the modules of engine/bpmn that must read its parts."""
        return self._workflow

    def advance(self) -> None:
        """Run engine steps (automatic tasks, gateways, due timers) until only people or time can move it."""
        advance(self._workflow)

    def tasks(self) -> "TaskWalk":
        """Every task (subprocesses included), in tree order, as of one walk: walk once, then filter."""
        return TaskWalk(all_tasks(self._workflow))

    def history_and_timers(self) -> tuple[list[CaseTask], list[PendingTimer]]:
        """In one walk of the task tree: the user tasks a person sees in history (ready, completed, cancelled)
        and the timers the workflow waits on (what a case's rows are made of)."""
        every = all_tasks(self._workflow)
        return ([CaseTask(t) for t in every if t.state & _HISTORY_STATES and t.task_spec.manual],
                pending_timers(every))

    def find_task(self, task_id: str) -> CaseTask | None:
        """The task with this id, or None."""
        task = find_task(self._workflow, task_id)
        return CaseTask(task) if task is not None else None

    def complete(self, task: CaseTask, values: dict[str, Any]) -> None:
        """Store form values in the task's data, complete it and move the workflow on."""
        complete(self._workflow, task._task, values)

    def deliver_message(self, name: str, payload: dict[str, Any]) -> None:
        """Deliver a named message (e.g. complaint_withdrawn) with a payload into `message_data`."""
        deliver_message(self._workflow, name, payload)

    def set_case_variables(self, **values: Any) -> None:
        """Set case variables from outside a form, so every later step reads them."""
        set_case_variables(self._workflow, **values)

    def waiting_message_names(self) -> set[str]:
        """Names of the messages the workflow would catch now."""
        return waiting_message_names(self._workflow)

    def completed_ids(self) -> set[UUID]:
        """Ids of every completed task."""
        return completed_ids(self._workflow)

    def case_data(self) -> dict[str, Any]:
        """The case variables as they stand (every branch's latest data merged)."""
        return case_data(self._workflow)

    def element_states(self) -> tuple[frozenset[str], frozenset[str]]:
        """Diagram element ids that have completed, and those waiting now."""
        return element_states(self._workflow)

    def is_completed(self) -> bool:
        """True when the workflow has reached its end."""
        return is_completed(self._workflow)


class TaskWalk:
    """A workflow's tasks as one walk of its tree found them, wrapped only as they are asked for (a step asks
    for a few of a case's hundred-odd tasks, and does so on every completion)."""

    __slots__ = ("_tasks",)

    def __init__(self, tasks: list[SpiffTask]):
        self._tasks = tasks

    def __iter__(self) -> Iterator[CaseTask]:
        return (CaseTask(t) for t in self._tasks)

    def ready_user_tasks(self) -> list[CaseTask]:
        """The user tasks waiting for a person."""
        return [CaseTask(t) for t in self._tasks if t.state == TaskState.READY and t.task_spec.manual]

    def completed_since(self, known: set[UUID]) -> list[CaseTask]:
        """The completed tasks whose ids are not in `known` (what the last step did)."""
        return [CaseTask(t) for t in self._tasks if t.state == TaskState.COMPLETED and t.id not in known]
