"""'Sager': the cases a leader, HR or a representative handles or follows, filtered, sorted by deadline, paged."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from engine import OverviewFilters

from .helpers import KIND_LABELS, me, now, service
from .summary import unit_name

bp = Blueprint("overview", __name__, url_prefix="/cases")

PER_PAGE = 20
_YES_NO = {"yes": True, "no": False}


def _filters() -> OverviewFilters:
    # Unknown values mean "any": a hand-edited address never errs, it just shows more.
    args = request.args
    status = args.get("status", "open")
    sort = args.get("sort", "due")
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    return OverviewFilters(status=status if status in ("open", "closed") else None,
                           kind=args.get("kind") or None, unit_id=args.get("unit") or None,
                           serious=_YES_NO.get(args.get("serious", "")), overdue=_YES_NO.get(args.get("overdue", "")),
                           sort=sort if sort in ("due", "newest", "oldest") else "due", page=page, per_page=PER_PAGE)


@bp.route("/")
def index():
    """The cases I may see at least the steps of, with the filters in the address (each listed row is logged)."""
    filters = _filters()
    result = service().case_overview(me().id, now(), filters)
    units = [(u, unit_name(u)) for u in result.units]
    kinds = [(k, str(KIND_LABELS.get(k, k))) for k in result.kinds]
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("overview.html", result=result, filters=filters, units=units, kinds=kinds, args=args,
                           unit_name=unit_name)
