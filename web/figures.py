"""'Tal og tendenser': the committees' anonymised figures for the units a person sits for, with charts and CSV."""
from __future__ import annotations

import csv
import io
import threading

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from engine import FIGURE_SMALL, FiguresReport

from . import charts
from .helpers import me, now, service

bp = Blueprint("figures", __name__, url_prefix="/figures")

CATEGORY_LABELS = {
    "violence_physical": _l("Physical violence"), "violence_psychological": _l("Psychological violence"),
    "offensive": _l("Offensive act"), "bullying": _l("Bullying"), "sexual_harassment": _l("Sexual harassment"),
    "sexism": _l("Sexism"), "patient": _l("A patient"), "citizen": _l("A citizen"), "relative": _l("A relative"),
    "colleague": _l("A colleague"), "manager": _l("A manager"), "not_stated": _l("Not stated"),
    "1": "1", "2": "2", "3": "3", "4": "4", "5": "5",
}
FIGURE_TITLES = {
    "kind": _l("Cases by kind"), "severity": _l("Cases by severity (1–5)"), "acted_by": _l("Cases by who acted"),
    "injuries": _l("Cases with an injury"), "accident_reports": _l("Accident reports made"),
    "police_reports": _l("Police reports made"), "reminders": _l("Reminders sent"),
    "escalations": _l("Cases escalated"), "open_longer": _l("Cases open longer than %(n)s days"),
    "wellbeing": _l("Well-being check done"), "learning": _l("Learning decided"),
    "vtc": _l("VTC registration done"),
}
QUARTER_LABELS = {1: "K1", 2: "K2", 3: "K3", 4: "K4"}
# On a committee's annual task: the heading over the answers of the committees below it, by their role.
ANSWERS_HEADINGS = {"lmu": _l("What the LMUs below answered"), "hmu": _l("What the HMUs answered")}
BODIES_KEPT = 64  # rendered figure pages kept per app


def shown(cell, threshold: int) -> str:
    """A published count as the page and the CSV write it: the number, '<5', or '·' for a protected cell."""
    if cell.shown:
        return str(cell.value)
    return f"<{threshold}" if cell.mark == FIGURE_SMALL else "·"


def _chosen(units) -> tuple[str, int]:
    unit_id = request.args.get("unit") or units[0].id
    if unit_id not in {u.id for u in units}:
        abort(404)
    try:
        year = int(request.args.get("year", now().year))
    except ValueError:
        abort(404)
    return unit_id, year


@bp.route("/")
def index():
    """The figures of one unit and year, each chart beside its table."""
    units = service().figures.units_for(me().id)
    if not units:
        return render_template("figures.html", units=[], report=None)
    unit_id, year = _chosen(units)
    report = service().figures.report(unit_id, year, me().id, now())
    return render_template("figures.html", units=_choices(units, unit_id), report=report, body=_body(report),
                           years=range(now().year, now().year - 6, -1))


def _choices(units, chosen: str) -> list:
    """The units to offer: the top ones, the way down to the chosen unit, and the units just below it.

    A region's leader sits for a thousand units; the list opens one level at a time instead.
    """
    by_id = {u.id: u for u in units}
    path, current = set(), by_id[chosen]
    while current is not None:
        path.add(current.id)
        current = by_id.get(current.parent_id)
    return [u for u in units if u.depth == 0 or u.id in path or u.parent_id in path]


def body_of(report: FiguresReport) -> Markup:
    """A report's tables and charts as the figures page shows them (for a task's frozen figures: not cached)."""
    return Markup(render_template("_figures_body.html", report=report, charts=_charts(report), shown=shown,
                                  labels=CATEGORY_LABELS, titles=FIGURE_TITLES, quarters=QUARTER_LABELS,
                                  long_open_days=service().figures.settings.long_open_days))


def frozen_body(task_id: str, variant: str | None, report: FiguresReport) -> Markup:
    """A committee task's frozen figures, rendered once per task, variant and language: they never change."""
    key = ("frozen", task_id, variant, str(get_locale()))
    return _rendered_once(key, report)


def _rendered_once(key: tuple, report: FiguresReport) -> Markup:
    """The report's page part under `key`, rendered the first time it is asked for (the newest kept)."""
    lock, bodies = current_app.extensions.setdefault("vaern_figure_bodies", (threading.Lock(), {}))
    with lock:
        body = bodies.get(key)
    if body is None:
        body = body_of(report)
        with lock:
            bodies[key] = body
            while len(bodies) > BODIES_KEPT:
                bodies.pop(next(iter(bodies)))
    return body


def _body(report: FiguresReport) -> Markup:
    # The engine hands out the same report until it counts again; its page part is the same for everyone
    # who may see it (they passed the engine's check), so it is rendered once per report and language.
    key = (report.unit_id, report.year, report.computed_at, str(get_locale()))
    return _rendered_once(key, report)


@bp.route("/figures.csv")
def download():
    """The same figures as CSV (one row per figure, category and period), as published: suppressed cells stay so."""
    units = service().figures.units_for(me().id)
    if not units:
        abort(403)
    unit_id, year = _chosen(units)
    report = service().figures.report(unit_id, year, me().id, now())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit", "year", "figure", "category", "period", "count"])
    t = report.threshold
    for figure in report.breakdowns:
        for category in figure.categories:
            for quarter, table in figure.grid.periods.items():
                writer.writerow([unit_id, year, figure.key, category, f"Q{quarter}", shown(table.cells[category], t)])
            writer.writerow([unit_id, year, figure.key, category, "year", shown(figure.grid.whole.cells[category], t)])
    for figure in (*report.tallies, *report.follow_ups):
        for quarter, cell in figure.table.cells.items():
            writer.writerow([unit_id, year, figure.key, "", f"Q{quarter}", shown(cell, t)])
        writer.writerow([unit_id, year, figure.key, "", "year", shown(figure.table.total, t)])
    for step in report.steps:
        for key, cell in step.table.cells.items():
            writer.writerow([unit_id, year, "step", f"{step.title}: {key}", "year", shown(cell, t)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=vaern-figures-{unit_id}-{year}.csv"})


def _charts(report: FiguresReport) -> dict:
    periods = [QUARTER_LABELS[q] for q in (1, 2, 3, 4)]
    drawn = {}
    for figure in report.breakdowns:
        # Each category keeps its colour (its place in the table) whether or not others are hidden.
        series = [(i, str(CATEGORY_LABELS.get(c, c)), [figure.grid.periods[q].cells[c].value for q in (1, 2, 3, 4)])
                  for i, c in enumerate(figure.categories) if c not in figure.grid.hidden_rows]
        totals = [figure.grid.periods[q].total.value for q in (1, 2, 3, 4)]
        drawn[figure.key] = charts.stacked_bars(periods, series, totals, str(FIGURE_TITLES[figure.key]),
                                                _("Hidden to protect small numbers"))
    this, last = report.this_year, report.last_year
    drawn["trend"] = charts.lines(periods, [
        (str(report.year), [this.cells[q].value for q in (1, 2, 3, 4)]),
        (str(report.year - 1), [last.cells[q].value for q in (1, 2, 3, 4)])], _("Cases by quarter against last year"))
    drawn["steps"] = charts.share_bars([(s.title, s.share) for s in report.steps], _("Share of steps done on time"))
    return drawn
