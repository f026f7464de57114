"""The case at a glance: what happened, to whom, where, how serious, the current step, the next deadline, and why
the reader is involved, drawn at the reader's level of access."""
from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _

from .answers import shown
from .helpers import me, names, role_label, service

# Why a person is involved, by the relation the engine reports (strongest first).
_WHY = (
    ("task:leaders_leader", lambda: _("The case was escalated to you as the leader's leader.")),
    ("task:leader", lambda: _("You have the case as the leader of the unit where it happened.")),
    ("task:other_personnel_leader", lambda: _("You have a task because you are the personnel leader of someone involved.")),
    ("task:hr", lambda: _("You support the leader as HR.")),
    ("task:koncern_hr", lambda: _("You support the leader as corporate HR.")),
    ("task:tr", lambda: _("You follow the case as union representative (TR).")),
    ("task:amr", lambda: _("You follow the case as work environment representative (AMR).")),
    ("party:employee", lambda: _("The case is about something that happened to you.")),
    ("task:accused", lambda: _("You are asked to give your side of the matter.")),
    ("task:colleague", lambda: _("You are asked about what you witnessed.")),
    ("party:colleague", lambda: _("You are named as a witness.")),
    ("reporter", lambda: _("You reported the case.")),
)
_PARTY_KEYS = ("employee_id", "accused_id")
# Those who act on the case read that it was escalated; the affected and a witness need no such badge.
_HANDLER_RELATIONS = {"task:leader", "task:leaders_leader", "task:hr", "task:koncern_hr", "task:tr", "task:amr"}


def sees_escalation(level: str, relations: set[str]) -> bool:
    """Whether the reader is one of those acting on the case, who are told it was escalated."""
    return level == "full" or bool(relations & _HANDLER_RELATIONS)


def unit_name(unit_id: str) -> str:
    """A unit's name (the units are read once per request)."""
    if "unit_names" not in g:
        org = g.get("org_snapshot")
        g.unit_names = org.unit_names if org is not None else {u.id: u.name for u in service().units()}
    return g.unit_names.get(unit_id, unit_id)


def why_involved(case, relations: set[str]) -> str:
    """One sentence saying why the reader has this case, naming a party who took the usual role-holder's place."""
    if "task:leader" in relations and _replaced_leader(case):
        return _("You have the case because the leader of %(unit)s is a party to it.", unit=unit_name(case.unit_id))
    for relation, sentence in _WHY:
        if relation in relations:
            return sentence()
    return _("The case's leader has given you access to the case.")


def _replaced_leader(case) -> bool:
    # The unit's own leader, resolved with nobody excluded: if that is a party, the lane went up the line.
    org = g.get("org_snapshot")
    usual = org.resolve("leader", case.unit_id, {}) if org is not None else service().resolve("leader", case.unit_id, {})
    parties = {(case.parties or {}).get(key) for key in _PARTY_KEYS} - {None}
    return bool(set(usual) & parties) and me().id not in usual


def case_summary(case, level: str, tasks, relations: set[str], fields=None, timers=None) -> dict[str, Any]:
    """What the summary block shows: always the step and deadline, the case's contents only at full access."""
    open_tasks = [t for t in tasks if t.state == "open"]
    due = sorted(t.due_at for t in open_tasks if t.due_at)
    if not due and case.status == "open":
        # No task has a due date: the case waits on a timer (a follow-up date, a deadline), which has one.
        due = [at for _element, at in (timers if timers is not None else service().timers_of_case(case.id))]
    steps = []
    for task in open_tasks:
        holder = task.assignee_id or (task.candidates[0] if len(task.candidates) == 1 else None)
        who = role_label(task.role)
        if level == "full" and holder:
            who = f"{names().get(holder, holder)} ({who})"
        steps.append({"title": task.title, "who": who})
    summary: dict[str, Any] = {"steps": steps, "next_due": due[0] if due else None,
                               "why": why_involved(case, relations), "unit": unit_name(case.unit_id),
                               "full": level == "full", "serious": case.serious,
                               "closed": case.status == "closed", "level": level,
                               "escalation": case.escalated and sees_escalation(level, relations)}
    if level == "full":
        data = case.data or {}
        what = data.get("violence_type") or data.get("kind")
        summary.update(
            what=shown("violence_type" if "violence_type" in data else "kind", what, fields) if what else None,
            description=data.get("description"),
            affected=data.get("employee_id"), accused=data.get("accused_id"), location=data.get("location"),
            when=shown("incident_at", data["incident_at"]) if data.get("incident_at") else None,
            severity=data.get("severity"), actor=shown("acted_by", data["acted_by"]) if data.get("acted_by") else None)
    return summary
