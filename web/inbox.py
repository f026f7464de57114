"""The inbox, "Mine opgaver": my tasks and my roles' tasks, most urgent first, filtered by deadline and paged."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request

from .helpers import me, now, service

bp = Blueprint("inbox", __name__)

PER_PAGE = 20
SOON = timedelta(days=7)
DUE_FILTERS = ("overdue", "soon")
SORTS = ("urgency", "due", "newest")


def _urgency(item):
    # Overdue first, then escalated, then serious, then by due date (no due date last), then oldest case.
    return (not item.overdue, not item.escalated, not item.serious, item.due_at is None,
            item.due_at or 0, item.case_id)


def _by_due(item):
    return (item.due_at is None, item.due_at or 0, item.case_id)


def _newest(item):
    return (-item.case_id, item.due_at is None, item.due_at or 0)


_SORT_KEYS = {"urgency": _urgency, "due": _by_due, "newest": _newest}


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.route("/")
def index():
    """My open tasks with case kind, unit, due date and marks; ?due=overdue|soon, ?sort=urgency|due|newest, ?page=."""
    person = me()
    moment = now()
    items = service().inbox(person.id, moment)
    counts = {"total": len(items), "overdue": sum(i.overdue for i in items),
              # An accused's hearing does not tell them the case was escalated.
              "escalated": sum(i.escalated and i.role != "accused" for i in items),
              "mine": sum(i.assignee_id == person.id for i in items)}
    # Unknown values mean "any", as on "Sager": a hand-edited address never errs.
    due = request.args.get("due", "")
    due = due if due in DUE_FILTERS else ""
    sort = request.args.get("sort", "")
    sort = sort if sort in SORTS else "urgency"
    if due == "overdue":
        items = [i for i in items if i.overdue]
    elif due == "soon":
        items = [i for i in items if i.overdue or (i.due_at is not None and i.due_at <= moment + SOON)]
    items = sorted(items, key=_SORT_KEYS[sort])
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(_page_number(), pages)
    shown = items[(page - 1) * PER_PAGE:page * PER_PAGE]
    args = {k: v for k, v in (("due", due), ("sort", sort if sort != "urgency" else "")) if v}
    return render_template("inbox.html", items=shown, counts=counts, matching=len(items), due=due, sort=sort,
                           page=page, pages=pages, args=args)
