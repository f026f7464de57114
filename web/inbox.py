"""The inbox: my tasks and my roles' tasks, most urgent first."""
from __future__ import annotations

from flask import Blueprint, render_template

from .helpers import me, now, service

bp = Blueprint("inbox", __name__)


def _urgency(item):
    # Overdue first, then escalated, then serious, then by due date (no due date last), then oldest case.
    return (not item.overdue, not item.escalated, not item.serious, item.due_at is None,
            item.due_at or 0, item.case_id)


@bp.route("/")
def index():
    """My open tasks with case kind, unit, due date and overdue/escalated marks."""
    person = me()
    items = sorted(service().inbox(person.id, now()), key=_urgency)
    counts = {"total": len(items), "overdue": sum(i.overdue for i in items),
              "escalated": sum(i.escalated for i in items),
              "mine": sum(i.assignee_id == person.id for i in items)}
    return render_template("inbox.html", items=items, counts=counts)
