"""Whether a running case can move to a newer version of its diagram, and why not when it cannot.

A case's state names every task spec it uses by name; re-binding it to another spec is safe when each
of those specs exists there with the same type, lane and outgoing connections, and what differs is
limited to names, documentation, form fields, conditions of gateways already passed, and timers that
have not started. Anything else would leave tokens where the new diagram has no path, assign tasks to
other roles than the case was running under, or move a deadline already promised.

Why `check` does not build on SpiffWorkflow 3.2's `bpmn/util/diff.py` (issue 15; tried, with the same verdicts
on every test, and 64 lines longer). `SpecDiff` walks the old spec from its start, aligns each task spec with
the new spec of the same name or, failing that, with a new spec in the same place between aligned neighbours,
and lists the serialized attributes that differ (`typename` alone when the type changed); `WorkflowDiff` and
`diff_workflow` map a workflow's tasks through that alignment, `migrate_workflow` re-binds them. For vaern:

- Alignment adds nothing. A case is re-bound by reloading its state, which names specs by id, so a spec
  aligned by its neighbours under another id must still count as removed: what is left is a lookup by name.
- The changed-attribute lists cannot be used as verdicts. The parser orders a gateway's `outputs` and
  `cond_task_specs` by the height of their targets on the page, so moving a shape in the modeller "changes"
  them; vaern compares them as sets, and would have to compare again whenever the diff named them.
- A timer names a setting whose value lives outside the spec, so the diff sees no change when that value
  changes; the started-timer rule resolves both values with each version's settings, as here.
- The cost moves from the case's tasks to the whole diagram: `SpecDiff` serializes every spec of both
  versions (about 24 ms for harassment.bpmn), which a page checking hundreds of cases must cache per pair of
  versions; and the case serializer's shared registry flips into encoder mode while `dumps` runs, so the diff
  needs a registry of its own.

tests/test_migration_diff.py pins these facts of SpecDiff, so an upgrade that changes them shows up there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from engine.bpmn import workflow as wf_ops
from engine.bpmn.definitions import ParsedDefinition
from engine.errors import VaernError

_FINISHED = {"COMPLETED", "CANCELLED"}


class MigrationRefused(VaernError):
    """The case cannot safely move to the other version; `blockers` say which elements stop it."""

    def __init__(self, case_id: int, version: int, blockers: list["Blocker"]):
        self.case_id = case_id
        self.version = version
        self.blockers = list(blockers)
        reasons = "; ".join(str(b) for b in self.blockers)
        super().__init__(f"case {case_id} cannot move to version {version}: {reasons}")


@dataclass(frozen=True)
class Blocker:
    """One element that stops a migration, with the reason in a plain sentence."""

    element_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.element_id}: {self.reason}"


@dataclass(frozen=True)
class MigrationCheck:
    """The verdict on moving one case to one version."""

    case_id: int
    from_version: int
    to_version: int
    blockers: tuple[Blocker, ...]
    case_version: int = 0  # the case row's version when checked; a move passes it back as its expectation

    @property
    def allowed(self) -> bool:
        """True when nothing blocks the migration."""
        return not self.blockers


def _all_tasks(workflow) -> Iterator[Any]:
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def _spec_in(parsed: ParsedDefinition, spec_name: str):
    if spec_name == parsed.spec.name:
        return parsed.spec
    return parsed.subprocess_specs.get(spec_name)


def _conditions(spec) -> list[tuple[str, str]] | None:
    pairs = getattr(spec, "cond_task_specs", None)
    if pairs is None:
        return None
    return sorted((getattr(cond, "args", [None])[0] if cond is not None else "", target) for cond, target in pairs)


def _timer_value(spec, settings: dict[str, str]) -> tuple[str, str] | None:
    definition = getattr(spec, "event_definition", None)
    if definition is None or not type(definition).__name__.endswith("TimerEventDefinition"):
        return None
    expression = str(definition.expression).strip()
    return type(definition).__name__, settings.get(expression, expression)


def _label(spec) -> str:
    name = getattr(spec, "bpmn_name", None)
    return f"'{name}'" if name else "the element"


def check(case_id: int, workflow, old: ParsedDefinition, new: ParsedDefinition, from_version: int,
          to_version: int, case_version: int = 0) -> MigrationCheck:
    """Every element that stops `workflow` (running on `old`) from being re-bound to `new`."""
    blockers: dict[str, str] = {}
    for task in _all_tasks(workflow):
        spec = task.task_spec
        state = wf_ops.state_name(task)
        spec_id = spec.bpmn_id or spec.name
        if spec_id in blockers:
            continue
        target_spec_set = _spec_in(new, task.workflow.spec.name)
        if target_spec_set is None:
            blockers[spec_id] = f"the sub-process '{task.workflow.spec.name}' is gone in version {to_version}"
            continue
        other = target_spec_set.task_specs.get(spec.name)
        if other is None:
            blockers[spec_id] = f"{_label(spec)} is removed in version {to_version}, and the case has been or may go there"
            continue
        if type(other) is not type(spec):
            blockers[spec_id] = (f"{_label(spec)} changes type from {type(spec).__name__} to {type(other).__name__}")
            continue
        if (getattr(spec, "lane", None) or "") != (getattr(other, "lane", None) or ""):
            blockers[spec_id] = (f"{_label(spec)} moves from lane '{spec.lane}' to '{other.lane}', so other "
                                 "people would get the task")
            continue
        before = sorted(o.name for o in spec.outputs)
        after = sorted(o.name for o in other.outputs)
        if before != after:
            blockers[spec_id] = (f"the flows out of {_label(spec)} change ({', '.join(before) or 'none'} -> "
                                 f"{', '.join(after) or 'none'})")
            continue
        if state not in _FINISHED and _conditions(spec) != _conditions(other):
            blockers[spec_id] = f"the conditions of gateway {_label(spec)} change before the case has passed it"
            continue
        old_timer, new_timer = _timer_value(spec, old.settings), _timer_value(other, new.settings)
        if old_timer != new_timer and state == "WAITING" and wf_ops.timer_due(task) is not None:
            blockers[spec_id] = (f"the timer {_label(spec)} has already started (due "
                                 f"{wf_ops.timer_due(task).isoformat()}); its new value "
                                 f"{new_timer[1] if new_timer else '-'} would not apply")
    return MigrationCheck(case_id, from_version, to_version,
                          tuple(Blocker(element, reason) for element, reason in sorted(blockers.items())),
                          case_version)


def carry_settings(workflow, old: ParsedDefinition, new: ParsedDefinition) -> list[str]:
    """Give the case's open tasks the new version's setting values where the case holds the old default.

    A setting the case was started with on purpose (a value other than the old default) is kept.
    Returns the names of the settings that changed.
    """
    changed = {name: value for name, value in new.settings.items()
               if name in old.settings and old.settings[name] != value}
    moved: set[str] = set()
    # Open tasks carry the data later steps see; the last completed task holds the case's variables as shown.
    holders = [t for t in _all_tasks(workflow) if wf_ops.state_name(t) not in _FINISHED]
    if workflow.last_task is not None:
        holders.append(workflow.last_task)
    for task in holders:
        for name, value in changed.items():
            if task.data.get(name) == old.settings[name]:
                task.data[name] = value
                moved.add(name)
    for name, value in new.settings.items():
        if name not in old.settings:
            # A setting new in this version: the case gets its default, as a new case would.
            for task in holders:
                if name not in task.data:
                    task.data[name] = value
                    moved.add(name)
    return sorted(moved)
