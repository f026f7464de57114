"""The one access policy: who may see how much of a case. docs/access.md is this table in prose.

A viewer's relations to a case come from `involvement` ('party:employee', 'task:leader',
'reporter', …) plus an explicit grant by the case's leader (which, in a confidential case, counts only
with the affected employee's consent). The policy maps them, per case kind and confidentiality, to a
level:

- `full`: the case's data and its timeline with names;
- `timeline`: status and the timeline with roles instead of names, no case data;
- `status`: the case's status only;
- `none`: nothing (a 403 that does not reveal whether the case exists).

Task pages follow their own rule: the task's candidates, assignee and completer may open it, and it
shows only the task's own form and instructions — that is how the accused sees "what a task in the
`accused` lane shows" and nothing else.
"""
from __future__ import annotations

LEVELS = ("none", "status", "timeline", "full")

# Role-holders whose tasks need the whole case (K-H6: respect and discretion; LAW-7: need to know).
FULL_ROLES = frozenset({"leader", "leaders_leader", "other_personnel_leader", "hr", "koncern_hr"})
# Role-holders who follow whether the case leads to action (GEN-1, K-S4): the steps, not the contents.
TIMELINE_ROLES = frozenset({"tr", "amr", "amg"})
# Committees see their annual cycle in full: it holds no personal data.
COMMITTEE_ROLES = frozenset({"lmu", "hmu", "rmu"})
# In a confidential case only the leader (and whom the leader adds) sees it (K-H7).
CONFIDENTIAL_ROLES = frozenset({"leader", "leaders_leader"})
# Relations that make a person the case's leader, who decides whom else to let see it (K-H7).
LEADER_RELATIONS = frozenset({f"task:{role}" for role in CONFIDENTIAL_ROLES})


def level_for(kind: str, confidential: bool, relations: set[str], granted: bool, consented: bool = False) -> str:
    """How much of a case a viewer with these relations may see.

    `granted`: the case's leader let the viewer see the case; `consented`: the affected employee agreed
    that the viewer may be let in, which a grant needs once the case is confidential (K-H7).
    """
    tasks = {r.split(":", 1)[1] for r in relations if r.startswith("task:")}
    parties = {r.split(":", 1)[1] for r in relations if r.startswith("party:")}
    # The accused sees nothing of the case itself, whatever else they are or were given (K-H6, K-H11, LAW-6):
    # only what a task in the `accused` lane shows on its own page.
    if "accused" in parties:
        return "none"
    # An anonymous report is for its handlers alone: no grant, role or notice lets anyone else read it.
    if kind == "anonymous":
        return "full" if "anonymous_handler" in tasks else "none"
    levels = ["none"]
    if granted and (consented or not confidential):
        levels.append("full")
    if kind == "annual_med" and tasks & COMMITTEE_ROLES:
        levels.append("full")
    if confidential:
        if tasks & CONFIDENTIAL_ROLES:
            levels.append("full")
    else:
        if tasks & FULL_ROLES:
            levels.append("full")
        if tasks & TIMELINE_ROLES:
            levels.append("timeline")
        if "notice:escalated" in relations:
            levels.append("timeline")  # told of an escalation, so they can follow whether it leads to action
    if "employee" in parties:
        levels.append("timeline")  # the affected follows their own case, step by step
    if "reporter" in relations or "reporter" in parties or "colleague" in parties or "colleague" in tasks:
        levels.append("status")  # a reporting or witnessing colleague sees only the status
    return max(levels, key=LEVELS.index)


def may_see(level: str, wanted: str) -> bool:
    """True if `level` includes what `wanted` needs."""
    return LEVELS.index(level) >= LEVELS.index(wanted)
