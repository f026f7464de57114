"""Committees passed over in the annual MED round: recorded when it happens, shown to the committee above.

An end event with the extension property `passed_over` (its value the committee's role, e.g. `lmu`) ends a
committee's turn without its answer. Each such end is recorded once as a `committee_passed_over` event,
and a task created later with a form field `passed_over_<role>` gets that field filled with the units of
that role passed over under the task's unit, so the committee above sees whom it goes on without.
"""
from __future__ import annotations

from datetime import datetime

from engine.bpmn.definitions import ParsedDefinition
from engine.bpmn.workflow import TaskWalk
from engine.cases import store
from engine.cases.store import SYSTEM
from engine.models import Case
from engine.org.snapshot import OrgSnapshot
from engine.unit_of_work import UnitOfWork

PASSED_OVER = "passed_over"
FIELD_PREFIX = "passed_over_"
NOBODY_PASSED_OVER = "Ingen: alle har meldt tilbage."

def passed_over_ends(parsed: ParsedDefinition) -> dict[str, str]:
    """The end events of a diagram that pass a committee over: element id -> the committee's role."""
    roles = {element: props.get(PASSED_OVER, "").strip() for element, props in parsed.properties_of("endEvent").items()}
    return {element: role for element, role in roles.items() if role}


def note_passed_over(uow: UnitOfWork, case: Case, parsed: ParsedDefinition, tasks: TaskWalk, before: set,
                     now: datetime) -> None:
    """Record the committees this step passed over, and fill `passed_over_<role>` on the tasks it created."""
    ends = passed_over_ends(parsed)
    if not ends:
        return
    org = uow.org
    passed: list[tuple[str, str]] = []
    for task in tasks:
        role = ends.get(task.spec_id)
        if role is None or task.state != "COMPLETED":
            continue
        unit = task.data.get("committee_unit") or case.unit_id
        passed.append((role, unit))
        if task.uuid not in before:
            store.record(uow, now, SYSTEM, "committee_passed_over", case.id, None, role=role, unit=unit,
                         unit_name=org.unit_names.get(unit, unit), spec=task.spec_id)
    for task in tasks.ready_user_tasks():
        if task.meta is not None:
            continue  # filled when it was created; what the committee wrote there since is theirs
        within = task.data.get("committee_unit") or case.unit_id
        for field in task.fields:
            if field.id.startswith(FIELD_PREFIX):
                role = field.id[len(FIELD_PREFIX):]
                units = {unit for r, unit in passed if r == role and _under(org, unit, within)}
                task.data[field.id] = describe(org, units)


def describe(org: OrgSnapshot, units: set[str]) -> str:
    """The units as a person reads them: one name a line, or that nobody was passed over."""
    if not units:
        return NOBODY_PASSED_OVER
    return "\n".join(sorted(org.unit_names.get(unit, unit) for unit in units))


def _under(org: OrgSnapshot, unit: str, within: str) -> bool:
    # A unit removed from the organisation since is still named, but belongs under no one's view.
    return org.has_unit(unit) and within in org.unit_chain(unit)

