"""Need to know in the web: every read of a case or a task page goes through the engine's access policy.

The engine decides the level (docs/access.md) and logs every read, allowed or not; a refusal becomes a
403 that does not say whether the case exists. The web only chooses what to draw at each level.
"""
from __future__ import annotations

from flask import abort

from engine import LEADER_RELATIONS, CaseView, TaskDetail

from .helpers import me, now, service, use_organisation

LEVELS = ("none", "status", "timeline", "full")


def at_least(level: str, wanted: str) -> bool:
    """True if `level` includes what `wanted` needs."""
    return LEVELS.index(level) >= LEVELS.index(wanted)


def view_case(case_id: int, purpose: str, wanted: str = "status") -> CaseView:
    """The case as the logged-in person may see it (logged); 403 below `wanted`, and the same 403 for a case
    that does not exist, so no page tells whether a case number is in use."""
    view = service().view_case(case_id, me().id, now(), purpose=purpose)
    if not at_least(view.level, wanted):
        abort(403)
    return view


def case_page(case_id: int, purpose: str, wanted: str = "status"):
    """Everything the case page shows the logged-in person (one logged read); 403 below `wanted` or for a case
    that does not exist. The page's names of people and units come from the same read."""
    page = service().case_page(case_id, me().id, now(), purpose=purpose)
    if not at_least(page.view.level, wanted):
        abort(403)
    use_organisation(page.org)
    return page


def view_task(task_id: str) -> TaskDetail:
    """An open task's page for its candidates, assignee or completer (logged); NotAllowed -> 403."""
    return service().view_task(task_id, me().id, now())


def is_affected(case_id: int) -> bool:
    """Whether the logged-in person is the employee the case is about, who decides on its confidentiality."""
    return "party:employee" in service().involvement(me().id, case_id)


def leads_case(case_id: int) -> bool:
    """Whether the logged-in person is the case's leader (or the leader's leader), who may give access."""
    return bool(service().involvement(me().id, case_id) & LEADER_RELATIONS)
