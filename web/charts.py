"""Charts drawn on the server as SVG (no scripts, no inline styles: colours come from style.css classes)."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 480, 200, 30


def stacked_bars(periods: list[str], series: list[tuple[int, str, list[int | None]]], totals: list[int | None],
                 title: str, hidden_label: str) -> Markup:
    """Bars per period, stacked by series (colour index, name, values); what the table hides is one grey part."""
    peak = max([t or 0 for t in totals] + [sum(v or 0 for v in values) for values in zip(*[s[2] for s in series])]
               + [1])
    slot = (WIDTH - PAD) / max(1, len(periods))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 20}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<line class="axis" x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}"/>')
    for i, period in enumerate(periods):
        x, y = PAD + i * slot + slot * 0.2, HEIGHT
        for index, name, values in series:
            value = values[i] or 0
            if value:
                h = value / peak * (HEIGHT - 10)
                y -= h
                parts.append(f'<rect class="s{index % 8}" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" '
                             f'height="{h:.1f}"><title>{escape(name)} {escape(period)}: {value}</title></rect>')
        shown = sum(values[i] or 0 for _, _, values in series)
        if totals[i] is not None and totals[i] > shown:
            h = (totals[i] - shown) / peak * (HEIGHT - 10)
            y -= h
            parts.append(f'<rect class="hidden-part" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" '
                         f'height="{h:.1f}"><title>{escape(hidden_label)}</title></rect>')
        parts.append(f'<text class="label" x="{x + slot * 0.3:.1f}" y="{HEIGHT + 15}">{escape(period)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(periods: list[str], series: list[tuple[str, list[int | None]]], title: str) -> Markup:
    """One line per series across the periods; a period whose count is not shown breaks the line."""
    peak = max([v or 0 for _, values in series for v in values] + [1])
    slot = (WIDTH - PAD) / max(1, len(periods))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 20}" role="img" aria-label="{escape(title)}">',
             f'<line class="axis" x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}"/>']
    for index, (name, values) in enumerate(series):
        points = [(PAD + i * slot + slot / 2, HEIGHT - (v / peak) * (HEIGHT - 10)) if v is not None else None
                  for i, v in enumerate(values)]
        run: list[tuple[float, float]] = []
        for point in points + [None]:
            if point is None:
                if len(run) > 1:
                    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    parts.append(f'<polyline class="line s{index % 8}" points="{path}"/>')
                run = []
            else:
                run.append(point)
        for i, point in enumerate(points):
            if point:
                parts.append(f'<circle class="dot s{index % 8}" cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="4">'
                             f'<title>{escape(name)} {escape(periods[i])}: {values[i]}</title></circle>')
    for i, period in enumerate(periods):
        parts.append(f'<text class="label" x="{PAD + i * slot + slot / 2:.1f}" y="{HEIGHT + 15}">{escape(period)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def share_bars(rows: list[tuple[str, float | None]], title: str) -> Markup:
    """A horizontal bar per step: the share done on time (0-100 %); no bar where the share is not shown."""
    height = 24 * max(1, len(rows)) + 10
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">']
    for i, (name, share) in enumerate(rows):
        y = 5 + i * 24
        parts.append(f'<rect class="track" x="{PAD}" y="{y}" width="{WIDTH - PAD}" height="16"/>')
        if share is not None:
            parts.append(f'<rect class="s0" x="{PAD}" y="{y}" width="{(WIDTH - PAD) * share:.1f}" height="16">'
                         f'<title>{escape(name)}: {share:.0%}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))
