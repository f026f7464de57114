"""Reporting violence or an offensive act, and following what one has reported (K-S8 escalation)."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import InvalidInput

from .access import view_case
from .helpers import MAX_TEXT_LENGTH, me, now, service
from .people import person_text, read_person

bp = Blueprint("report", __name__)

LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")
ESCALATION_MESSAGE = "escalation_requested"
WITHDRAW_MESSAGE = "complaint_withdrawn"

# LAW-4: who acted decides the route. Citizens, patients and relatives -> violence; colleagues, managers -> harassment.
ACTORS = {
    "citizen": ("violence", _l("A citizen")),
    "patient": ("violence", _l("A patient")),
    "relative": ("violence", _l("A relative")),
    "colleague": ("harassment", _l("A colleague")),
    "manager": ("harassment", _l("A manager")),
}
REPORTING_AS = {"self": _l("It happened to me"), "witness": _l("I saw it happen to someone else"),
                "second_hand": _l("I have heard about it from others"),
                "survey": _l("It is a signal from a well-being survey or an APV, without names")}
# K-H17, K-H18: second-hand information and survey signals are taken up as offensive acts between
# employees; the case names no one it happened to, and a survey signal names no one at all.
SIGNALS = {"second_hand": "second_hand", "survey": "anonymous_survey"}
VIOLENCE_TYPES = {"physical": _l("Physical violence"), "psychological": _l("Psychological violence (threats, "
                                                                           "harassment, verbal abuse)")}
HARASSMENT_KINDS = {"offensive": _l("Offensive act"), "bullying": _l("Bullying"),
                    "sexual_harassment": _l("Sexual harassment"), "sexism": _l("Sexism")}
SEVERITIES = {"1": _l("1 – minor"), "2": _l("2"), "3": _l("3 – moderate"), "4": _l("4"), "5": _l("5 – very serious")}
MAX_TEXT = MAX_TEXT_LENGTH


def first_question(values) -> dict[str, str]:
    """Errors of the first question: who acted, and whether it happened to the reporter (LAW-4)."""
    errors = {}
    if values.get("actor") not in ACTORS:
        errors["actor"] = _("Choose who acted.")
    if values.get("reporting_as") not in REPORTING_AS:
        errors["reporting_as"] = _("Choose whether it happened to you or to someone else.")
    elif values.get("reporting_as") in SIGNALS and ACTORS.get(values.get("actor"), ("",))[0] == "violence":
        errors["reporting_as"] = _("Signals heard from others or seen in a survey are taken up as offensive acts "
                                   "between colleagues. Violence from a citizen, patient or relative is reported "
                                   "by the one it happened to or by a witness.")
    return errors


@bp.route("/report")
def start():
    """The first question: who acted, and did it happen to you or to someone you saw?"""
    return render_template("report_start.html", actors=ACTORS, reporting_as=REPORTING_AS, values={}, errors={})


@bp.route("/report/details", methods=["GET", "POST"])
def details():
    """The report itself, for the route the first question chose; starts the case."""
    values = request.values
    errors = first_question(values)
    if errors:
        return render_template("report_start.html", actors=ACTORS, reporting_as=REPORTING_AS, values=values,
                               errors=errors), 400
    kind = ACTORS[values["actor"]][0]
    person = me()
    form = {"unit_id": person.unit_id or "", "serious": ""}
    errors = {}
    if request.method == "POST":
        form = request.form
        data, unit_id, errors = case_data(kind, form, person.id)
        # Who acted (a patient, a citizen, a manager …) is part of what happened (LAW-4); the committees'
        # figures count it too (engine/figures/facts.py).
        data["acted_by"] = values["actor"]
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


def case_data(kind: str, form, reporter_id: str) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The start variables the diagram expects, checked field by field."""
    errors: dict[str, str] = {}
    units = {u.id for u in service().units()}
    unit_id = form.get("unit_id", "")
    if unit_id not in units:
        errors["unit_id"] = _("Choose the unit where it happened.")
    signal = SIGNALS.get(form.get("reporting_as"))
    if form.get("reporting_as") == "witness":
        employee_id, problem = read_person(form.get("employee_id"), _("Choose the employee it happened to."))
        if problem:
            errors["employee_id"] = problem
        elif employee_id == reporter_id:
            errors["employee_id"] = _("You said it happened to someone else: choose that person.")
    elif signal:
        employee_id = None
    else:
        employee_id = reporter_id
    description = form.get("description", "").strip()
    if len(description) > MAX_TEXT:
        errors["description"] = _("At most %(n)s characters.", n=MAX_TEXT)
    data: dict[str, Any] = {"reporter_id": reporter_id, "serious": form.get("serious") == "on",
                            "description": description}
    if employee_id:
        data["employee_id"] = employee_id
    if kind == "violence":
        data.update(_violence(form, errors))
    else:
        if not description:
            errors["description"] = _("Describe what happened, as you experienced it.")
        if form.get("kind") not in HARASSMENT_KINDS:
            errors["kind"] = _("Choose what kind of act it was.")
        accused_id, problem = read_person(form.get("accused_id")) if signal != "anonymous_survey" else (None, None)
        if problem:
            errors["accused_id"] = problem
        elif accused_id and accused_id == employee_id:
            errors["accused_id"] = _("The person who acted cannot be the one it happened to.")
        data.update(report_source=signal or ("witness" if form.get("reporting_as") == "witness" else "affected"),
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


# What a person can do from "Mine anmeldelser" when the case waits for it: the message, its button and
# what the person is told afterwards. The engine decides who may send which (engine/cases/messages.py).
MESSAGES = {
    ESCALATION_MESSAGE: {
        "button": _l("Ask the next management level for help"),
        "hint": _l("Has nothing happened, or have you had no answer? You can ask the next management level for help."),
        "done": _l("Your request has been sent. The next management level has been given a task to follow up "
                   "on case %(id)s."),
    },
    WITHDRAW_MESSAGE: {
        "button": _l("Withdraw my complaint"),
        "hint": _l("If you no longer want the case to go on, you can withdraw your complaint. Your leader is "
                   "told and decides whether the case must go on anyway, for example if others are at risk."),
        "done": _l("Your complaint in case %(id)s is withdrawn. Your leader has been given a task to follow up."),
    },
}


@bp.route("/reports")
def mine():
    """What I reported, and cases about what happened to me, a page at a time, at the level I may see each."""
    found = service().my_reports(me().id, now(), request.args.get("page", 1, type=int))
    rows = []
    for row in found.rows:
        actions = [(name, MESSAGES[name]) for name in MESSAGES if name in row.sendable and name != ESCALATION_MESSAGE]
        rows.append({"case": row.case, "level": row.level, "open_tasks": list(row.open_tasks), "actions": actions,
                     "can_escalate": ESCALATION_MESSAGE in row.sendable, "reported": row.reported})
    return render_template("my_reports.html", rows=rows, found=found, escalation=MESSAGES[ESCALATION_MESSAGE])


@bp.route("/reports/<int:case_id>/escalate", methods=["POST"])
def escalate(case_id: int):
    """K-S8, GEN-1: when nothing happens, the reporter or the affected asks the next management level for help."""
    return _send(case_id, ESCALATION_MESSAGE, {"by": me().id}, _(
        "This case cannot be escalated from here. Contact your leader's leader, your union "
        "representative (TR) or your work environment representative (AMR) directly."))


@bp.route("/reports/<int:case_id>/withdraw", methods=["POST"])
def withdraw(case_id: int):
    """K-H8: the affected withdraws the complaint; the leader is told and decides whether the case goes on."""
    reason = request.form.get("reason", "").strip()[:MAX_TEXT]
    return _send(case_id, WITHDRAW_MESSAGE, {"by": me().id, "reason": reason}, _(
        "The complaint cannot be withdrawn from here any more. Talk to your leader or to HR."))


def _send(case_id: int, message: str, payload: dict[str, Any], not_waiting: str):
    person = me()
    view_case(case_id, message)
    if not service().may_send_message(case_id, person.id, message):
        abort(403)
    if message not in service().waiting_messages(case_id, now()):
        flash(not_waiting, "warning")
        return redirect(url_for("report.mine"))
    service().send_message(case_id, message, payload, person.id, now())
    flash(str(MESSAGES[message]["done"]) % {"id": case_id}, "success")
    return redirect(url_for("report.mine"))
