"""A case's page at the viewer's level of access: status, what happened, where it stands, and its data."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import LEADER_RELATIONS, GrantRefused, NotFound

from .access import case_page, is_affected, leads_case, view_case
from .helpers import ROLE_LABELS, me, names, now, service, system_actor
from .people import read_person
from .record import record_groups
from .summary import case_summary, sees_escalation

bp = Blueprint("cases", __name__, url_prefix="/cases")

INJURY_MESSAGE = "injury_discovered"

@bp.route("/<int:case_id>")
def show(case_id: int):
    """The case page, drawn at the viewer's level: status; steps and diagram; or everything."""
    return _page(case_page(case_id, "page"))


def _page(page, grant_errors: dict[str, str] | None = None, status: int = 200, grant_text: str = "",
          consent_errors: dict[str, str] | None = None, consent_text: str = ""):
    # Everything below comes from the one read `page` is: the case page costs one transaction and its log row.
    view = page.view
    case_id, level = view.case.id, view.level
    tasks = list(page.tasks)
    record = []
    if level == "full":
        record = record_groups(view.case, tasks, page.fields, page.task_fields, page.settings)
    relations = set(page.relations)
    summary = case_summary(view.case, level, tasks, relations, page.fields if level == "full" else None,
                           page.timers)
    can_grant = level == "full" and bool(relations & LEADER_RELATIONS)
    grants = list(page.grants or [])
    actions = leader_actions(view.case, url_for("cases.show", case_id=case_id), sendable=page.sendable) \
        if can_grant else None
    # In a confidential case the affected decides whom the leader may let in (K-H7); both see that list.
    can_consent = view.case.confidential and "party:employee" in relations
    consents = list(page.consents or [])
    return render_template("case.html", case=view.case, level=level, tasks=tasks, timeline=timeline_rows(view, tasks),
                           record=record, summary=summary,
                           escalation=sees_escalation(level, relations), show_names=level == "full", can_grant=can_grant, grant_text=grant_text,
                           grants=grants, grant_errors=grant_errors or {}, actions=actions, can_consent=can_consent,
                           consents=consents, consent_errors=consent_errors or {}, consent_text=consent_text), status


def leader_actions(case, back: str, errors: dict[str, str] | None = None, sendable=None) -> dict[str, Any] | None:
    """What the case's leader can do at any step of an open case (mark it serious, register a later injury)."""
    from .report import SEVERITIES

    if case.status != "open":
        return None
    if sendable is None:
        sendable = service().sendable_messages(case.id, me().id, now())
    return {"case_id": case.id, "back": back, "serious": case.serious, "severities": SEVERITIES,
            "severity": (case.data or {}).get("severity") or 3, "errors": errors or {},
            "can_register_injury": INJURY_MESSAGE in sendable}


def _back(case_id: int) -> str:
    # Only a path inside the app: a posted "back" is never an address elsewhere.
    back = request.form.get("back", "")
    return back if back.startswith("/") and not back.startswith("//") else url_for("cases.show", case_id=case_id)


@bp.route("/<int:case_id>/serious", methods=["POST"])
def mark_serious(case_id: int):
    """GEN-1, K-S5: the case's leader marks the case serious at any step, with a severity 1-5."""
    view_case(case_id, "mark_serious", wanted="full")
    if not leads_case(case_id):
        abort(403)
    raw = request.form.get("severity", "")
    if raw not in {"1", "2", "3", "4", "5"}:
        flash(_("Choose a severity from 1 to 5."), "error")
        return redirect(_back(case_id))
    service().mark_serious(case_id, int(raw), me().id, now())
    flash(_("Case %(id)s is marked serious (severity %(n)s). Every deadline that passes from now on is "
            "escalated to the next management level, and TR and AMR are told.", id=case_id, n=raw), "success")
    return redirect(_back(case_id))


@bp.route("/<int:case_id>/injury", methods=["POST"])
def register_injury(case_id: int):
    """LAW-1: an injury or absence found out later starts the accident-report route then."""
    view_case(case_id, "register_injury", wanted="full")
    if not leads_case(case_id):
        abort(403)
    if INJURY_MESSAGE not in service().sendable_messages(case_id, me().id, now()):
        flash(_("This case cannot take an injury any more. Report the work accident directly in "
                "ArbejdsMiljøSystemet."), "warning")
        return redirect(_back(case_id))
    note = request.form.get("note", "").strip()[:2000]
    service().send_message(case_id, INJURY_MESSAGE, {"by": me().id, "note": note}, me().id, now())
    flash(_("The injury is registered. You have been given the task of recording the first day of absence "
            "and reporting the work accident."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<int:case_id>/diagram.json")
def diagram(case_id: int):
    """The diagram the case runs and which elements are done, current or overdue (for the viewer)."""
    view_case(case_id, "diagram", wanted="timeline")
    d = service().case_diagram(case_id, now())
    # Lanes are named by role keys; the reader sees each role's name in their language instead.
    return jsonify(xml=d.xml, version=d.version, completed=sorted(d.completed), current=sorted(d.current),
                   overdue=sorted(d.overdue), roles={key: str(label) for key, label in ROLE_LABELS.items()})


@bp.route("/<int:case_id>/grant", methods=["POST"])
def grant(case_id: int):
    """The case's leader lets one more person see the whole case (K-H7: whom the leader adds)."""
    page = case_page(case_id, "grant", wanted="full")
    text = request.form.get("person_id", "")
    if not page.relations & LEADER_RELATIONS:
        abort(403)
    person_id, problem = read_person(text, _("Type the name or id of the person who should see the case."))
    if problem or person_id == me().id:
        problem = problem or _("You already see the case: choose someone else.")
        return _page(page, {"person_id": problem}, 400, text)
    name = service().person_names([person_id])[person_id]
    try:
        service().grant_access(case_id, person_id, me().id, now())
    except GrantRefused as refused:
        return _page(page, {"person_id": _refusal(refused, name)}, 400, text)
    flash(_("%(name)s can now see the whole case.", name=name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _refusal(refused: GrantRefused, name: str) -> str:
    if refused.reason == "accused":
        return _("%(name)s is the person experienced as offending in this case and cannot be given access to it. "
                 "They see only the hearing tasks the case gives them.", name=name)
    return _("The case is confidential: %(name)s can be given access only if the employee it concerns agrees. "
             "Ask them to add %(name)s on their page for the case.", name=name)


@bp.route("/<int:case_id>/consents", methods=["POST"])
def consent(case_id: int):
    """The affected employee agrees that the case's leader may let one more person see their confidential case."""
    page = case_page(case_id, "consent", wanted="timeline")
    if "party:employee" not in page.relations:
        abort(403)
    text = request.form.get("person_id", "")
    person_id, problem = read_person(text, _("Type the name or id of the person who may see the case."))
    if problem or person_id == me().id:
        problem = problem or _("You already see your own case: choose someone else.")
        return _page(page, status=400, consent_errors={"person_id": problem}, consent_text=text)
    name = service().person_names([person_id])[person_id]
    try:
        service().consent_to_access(case_id, person_id, me().id, now())
    except GrantRefused:
        return _page(page, status=400, consent_text=text, consent_errors={"person_id": _(
            "%(name)s is the person experienced as offending in this case and cannot be let into it.", name=name)})
    flash(_("The leader may now let %(name)s see your case.", name=name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<int:case_id>/consents/<person_id>/withdraw", methods=["POST"])
def withdraw_consent(case_id: int, person_id: str):
    """The affected takes their agreement back; access the leader gave on it ends with it."""
    view_case(case_id, "consent", wanted="timeline")
    if not is_affected(case_id):
        abort(403)
    name = names().get(person_id, person_id)
    try:
        service().withdraw_consent(case_id, person_id, me().id, now())
    except NotFound:
        flash(_("You had not agreed that %(name)s may see the case; nothing was changed.", name=name), "info")
    else:
        flash(_("%(name)s may no longer be let into your case, and any access given on your agreement has ended.",
                name=name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<int:case_id>/grants/<person_id>/withdraw", methods=["POST"])
def withdraw(case_id: int, person_id: str):
    """The case's leader takes back access given earlier; the person keeps only what their own part allows."""
    view_case(case_id, "grant", wanted="full")
    if not leads_case(case_id):
        abort(403)
    name = names().get(person_id, person_id)
    try:
        service().withdraw_access(case_id, person_id, me().id, now())
    except NotFound:
        flash(_("%(name)s had not been given access to the case; nothing was changed.", name=name), "info")
    else:
        flash(_("%(name)s no longer sees the whole case.", name=name), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def timeline_rows(view, tasks) -> list[dict[str, Any]]:
    """The case's events for the page: with names at full access, else the role that acted (the engine
    has already put the role in place of the person)."""
    full = view.level == "full"
    task_roles = {t.id: t.role for t in tasks}
    task_titles = {t.id: t.title for t in tasks}
    rows = []
    for event in view.timeline:
        role = task_roles.get(event.task_id) if event.task_id else None
        if event.actor == "system":
            who = "system"
            actor = None
        elif system_actor(event.actor):  # the command line or an administrator, named as what they are
            who = None
            actor = system_actor(event.actor)
        elif full:
            actor = names().get(event.actor, event.actor)
            who = role or event.details.get("role") or ("reporter" if event.actor == view.case.created_by else None)
        else:
            actor = None
            who = "self" if event.actor == "self" else (role or event.actor)
        details = dict(event.details)
        if full and details.get("person"):
            details["person_name"] = names().get(details["person"], details["person"])
        rows.append({"at": event.at, "action": event.action, "actor": actor, "role": who,
                     "task": task_titles.get(event.task_id), "details": details})
    return rows
