"""Notices in the web inbox: tasks assigned, reminders, overdue tasks and escalations, with links."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .helpers import me, now, service

bp = Blueprint("notices", __name__, url_prefix="/notices")

NOTICE_LABELS = {
    "assigned": _l("New task"),
    "handed_over": _l("Task handed over to you"),
    "reminder": _l("Reminder"),
    "overdue": _l("Overdue"),
    "escalated": _l("Escalated"),
}


@bp.route("/")
def index():
    """My notices, newest first; unread ones are marked until I mark them read."""
    notices = service().notices(me().id, limit=200)
    return render_template("notices.html", notices=notices, labels=NOTICE_LABELS)


@bp.route("/read", methods=["POST"])
def mark_read():
    """Mark all my notices read."""
    service().mark_notices_read(me().id, now())
    flash(_("All notices are marked as read."), "info")
    return redirect(url_for("notices.index"))
