"""Who has read what: a person's own access log, and for administrators the whole log, its export and the outbox.

Administrators see who read which case number when, never a case's contents (docs/access.md).
"""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template
from flask_babel import lazy_gettext as _l

from .helpers import me, now, service

bp = Blueprint("privacy", __name__)

PURPOSE_LABELS = {
    "page": _l("Case page"),
    "diagram": _l("Case diagram"),
    "task": _l("Task page"),
    "reports": _l("My reports"),
    "history": _l("Case history on a task"),
    "escalate": _l("Request for help"),
    "grant": _l("Giving access"),
    "consent": _l("Agreeing to access"),
    "cli": _l("Case read on the command line"),
    "task_summary": _l("The case at a glance on a task"),
    "overview": _l("The list of cases"),
    "api": _l("Case read through the API"),
    "api_events": _l("Case events read through the API"),
    "mark_serious": _l("Marking the case serious"),
    "register_injury": _l("Registering an injury"),
    "escalation_requested": _l("Request for help"),
    "complaint_withdrawn": _l("Withdrawing the complaint"),
    "injury_discovered": _l("Registering an injury"),
}
LEVEL_LABELS = {"none": _l("Refused"), "status": _l("Status"), "timeline": _l("Steps"), "full": _l("Everything"),
                "task": _l("The task"), "list": _l("A list of cases"),
                "maintenance": _l("Everything (maintenance)")}
ADMIN_LOG_ROWS = 1000


def _require_admin() -> None:
    if not me().is_admin:
        abort(403)


@bp.route("/access-log")
def mine():
    """Who has read the cases I am a party to, and when (C-579/21)."""
    entries = service().access_log_about(me().id)
    return render_template("access_log.html", entries=entries, purposes=PURPOSE_LABELS, levels=LEVEL_LABELS,
                           admin=False)


@bp.route("/oversight/access-log")
def everything():
    """The newest part of the whole access log, for administrators."""
    _require_admin()
    entries = service().access_log(limit=ADMIN_LOG_ROWS, newest_first=True)
    return render_template("access_log.html", entries=entries, purposes=PURPOSE_LABELS, levels=LEVEL_LABELS,
                           admin=True, shown=ADMIN_LOG_ROWS)


@bp.route("/oversight/access-log.csv")
def export():
    """The whole access log as CSV, oldest first, for administrators."""
    _require_admin()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "person_id", "case_id", "purpose", "level", "allowed", "case_ids"])
    for entry in service().access_log():
        writer.writerow([entry.at.isoformat(), _cell(entry.person_id), entry.case_id or "", _cell(entry.purpose),
                         entry.level, "yes" if entry.allowed else "no", " ".join(map(str, entry.case_ids))])
    stamp = now().strftime("%Y%m%d-%H%M")
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="vaern-access-log-{stamp}.csv"'})


@bp.route("/oversight/outbox")
def outbox():
    """E-mails waiting in or sent from the outbox (without SMTP settings they wait here)."""
    _require_admin()
    smtp = bool(service().settings.smtp_host)
    return render_template("outbox.html", mails=service().outbox(), smtp=smtp)


def _cell(value: str) -> str:
    # A spreadsheet must not run a cell as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
