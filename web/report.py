"""Reporting violence or an offensive act, and following what one has reported (K-S8 escalation)."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine import InvalidInput

from .access import view_case
from .helpers import MAX_TEXT_LENGTH, me, now, service
from .people import person_text, read_person

bp = Blueprint("report", __name__)

LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")
ESCALATION_MESSAGE = "escalation_requested"

# LAW-4: who acted decides the route. Citizens, patients and relatives -> violence; colleagues, managers -> harassment.
ACTORS = {
    "citizen": ("violence", _l("A citizen")),
    "patient": ("violence", _l("A patient")),
    "relative": ("violence", _l("A relative")),
    "colleague": ("harassment", _l("A colleague")),
    "manager": ("harassment", _l("A manager")),
}
REPORTING_AS = {"self": _l("It happened to me"), "witness": _l("I saw it happen to someone else")}
VIOLENCE_TYPES = {"physical": _l("Physical violence"), "psychological": _l("Psychological violence (threats, "
                                                                           "harassment, verbal abuse)")}
HARASSMENT_KINDS = {"offensive": _l("Offensive act"), "bullying": _l("Bullying"),
                    "sexual_harassment": _l("Sexual harassment"), "sexism": _l("Sexism")}
SEVERITIES = {"1": _l("1 – minor"), "2": _l("2"), "3": _l("3 – moderate"), "4": _l("4"), "5": _l("5 – very serious")}
MAX_TEXT = MAX_TEXT_LENGTH


def _first_question(values) -> dict[str, str]:
    errors = {}
    if values.get("actor") not in ACTORS:
        errors["actor"] = _("Choose who acted.")
    if values.get("reporting_as") not in REPORTING_AS:
        errors["reporting_as"] = _("Choose whether it happened to you or to someone else.")
    return errors


@bp.route("/report")
def start():
    """The first question: who acted, and did it happen to you or to someone you saw?"""
    return render_template("report_start.html", actors=ACTORS, reporting_as=REPORTING_AS, values={}, errors={})


@bp.route("/report/details", methods=["GET", "POST"])
def details():
    """The report itself, for the route the first question chose; starts the case."""
    values = request.values
    errors = _first_question(values)
    if errors:
        return render_template("report_start.html", actors=ACTORS, reporting_as=REPORTING_AS, values=values,
                               errors=errors), 400
    kind = ACTORS[values["actor"]][0]
    person = me()
    form = {"unit_id": person.unit_id or "", "serious": ""}
    errors = {}
    if request.method == "POST":
        form = request.form
        data, unit_id, errors = _case_data(kind, form, person.id)
        if not errors:
            try:
                case = service().start_case(kind, unit_id, data, person.id, now())
            except InvalidInput as exc:
                errors = dict(exc.errors)
            else:
                flash(_("Thank you. Your report is received as case %(id)s, and the right people have been "
                        "given tasks.", id=case.id), "success")
                return redirect(url_for("report.mine"))
    people = {key: person_text(form.get(key)) for key in ("employee_id", "accused_id")}
    return render_template("report_details.html", kind=kind, actor=values["actor"],
                           reporting_as=values["reporting_as"], actors=ACTORS, values=form, errors=errors,
                           people=people, units=service().units(), violence_types=VIOLENCE_TYPES,
                           harassment_kinds=HARASSMENT_KINDS, severities=SEVERITIES,
                           max_incident=now().astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")), \
        400 if errors else 200


def _case_data(kind: str, form, reporter_id: str) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The start variables the diagram expects, checked field by field."""
    errors: dict[str, str] = {}
    units = {u.id for u in service().units()}
    unit_id = form.get("unit_id", "")
    if unit_id not in units:
        errors["unit_id"] = _("Choose the unit where it happened.")
    if form.get("reporting_as") == "witness":
        employee_id, problem = read_person(form.get("employee_id"), _("Choose the employee it happened to."))
        if problem:
            errors["employee_id"] = problem
        elif employee_id == reporter_id:
            errors["employee_id"] = _("You said it happened to someone else: choose that person.")
    else:
        employee_id = reporter_id
    description = form.get("description", "").strip()
    if len(description) > MAX_TEXT:
        errors["description"] = _("At most %(n)s characters.", n=MAX_TEXT)
    data: dict[str, Any] = {"employee_id": employee_id, "reporter_id": reporter_id,
                            "serious": form.get("serious") == "on", "description": description}
    if kind == "violence":
        data.update(_violence(form, errors))
    else:
        if not description:
            errors["description"] = _("Describe what happened, as you experienced it.")
        if form.get("kind") not in HARASSMENT_KINDS:
            errors["kind"] = _("Choose what kind of act it was.")
        accused_id, problem = read_person(form.get("accused_id"))
        if problem:
            errors["accused_id"] = problem
        elif accused_id and accused_id == employee_id:
            errors["accused_id"] = _("The person who acted cannot be the one it happened to.")
        data.update(report_source="affected" if form.get("reporting_as") != "witness" else "witness",
                    kind=form.get("kind"))
        if accused_id:
            data["accused_id"] = accused_id
    return data, unit_id, errors


def _violence(form, errors: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    raw_when = form.get("incident_at", "").strip()
    try:
        incident_at = datetime.fromisoformat(raw_when).replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        errors["incident_at"] = _("Give the date and time, e.g. 2026-11-26 14:30.")
    else:
        if incident_at > now():
            errors["incident_at"] = _("The time cannot be in the future.")
        data["incident_at"] = incident_at.isoformat()
    location = form.get("location", "").strip()
    if not location:
        errors["location"] = _("Say where it happened.")
    if form.get("violence_type") not in VIOLENCE_TYPES:
        errors["violence_type"] = _("Choose physical or psychological violence.")
    if form.get("severity") not in SEVERITIES:
        errors["severity"] = _("Choose a severity from 1 to 5.")
    witnesses = form.get("witnesses", "").strip()
    if len(witnesses) > MAX_TEXT or len(location) > MAX_TEXT:
        errors["witnesses" if len(witnesses) > MAX_TEXT else "location"] = _("At most %(n)s characters.", n=MAX_TEXT)
    data.update(location=location, violence_type=form.get("violence_type"),
                severity=int(form["severity"]) if form.get("severity") in SEVERITIES else None,
                injured=form.get("injured") == "on", witnesses_present=form.get("witnesses_present") == "on",
                witnesses=witnesses)
    return data


@bp.route("/reports")
def mine():
    """What I have reported and where it stands, a page at a time, at the level I may see each case."""
    found = service().my_reports(me().id, now(), request.args.get("page", 1, type=int))
    rows = [{"case": r.case, "level": r.level, "open_tasks": list(r.open_tasks),
             "can_escalate": ESCALATION_MESSAGE in r.waiting_messages} for r in found.rows]
    return render_template("my_reports.html", rows=rows, found=found)


@bp.route("/reports/<int:case_id>/escalate", methods=["POST"])
def escalate(case_id: int):
    """K-S8: when nothing happens, the reporter asks the next management level for help."""
    person = me()
    view_case(case_id, "escalate")
    if "reporter" not in service().involvement(person.id, case_id):
        abort(403)
    if ESCALATION_MESSAGE not in service().waiting_messages(case_id, now()):
        flash(_("This case cannot be escalated from here. Contact your leader's leader, your union "
                "representative (TR) or your work environment representative (AMR) directly."), "warning")
        return redirect(url_for("report.mine"))
    service().send_message(case_id, ESCALATION_MESSAGE, {"by": person.id}, person.id, now())
    flash(_("Your request has been sent. The next management level has been given a task to follow up "
            "on case %(id)s.", id=case_id), "success")
    return redirect(url_for("report.mine"))
