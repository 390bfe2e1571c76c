"""Charts as inline SVG strings: no JavaScript, no CDN, they print, and Thai text renders.

Each function takes figures already rounded by ``scoring`` (from the view model) and only
places them; it computes no score.  Colours are SVG fills and strokes (not CSS backgrounds),
so browsers print them; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .formatting import two_decimals

FONT = "Sarabun, 'Noto Sans Thai', 'TH Sarabun New', Loma, Garuda, sans-serif"
INK = "#1b1f24"
MUTED = "#555d66"
GRID = "#d0d7de"
MET = "#1f3f8f"
BELOW = "#c26a00"
TARGET = "#b3261e"


_fmt = two_decimals


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    # every text in body and label went through escape(); numbers are formatted by us
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-label="{escape(label)}" font-family="{FONT}" class="chart">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def indicator_bars_svg(rows: Sequence[dict], target: float, *, lang: str = "th",
                       title: str = "") -> Markup:
    """Horizontal bars 0–100, one per indicator, with a dashed line at the target.

    ``rows``: dicts with ``code``, ``name_th``, ``name_en`` and ``score`` (rounded, or None).
    """
    left, right, top, row_h, bar_h = 250, 70, 28, 28, 18
    plot = 640 - left - right
    height = top + row_h * len(rows) + 30

    def x(v: float) -> float:
        return left + plot * max(0.0, min(100.0, v)) / 100

    body = []
    for tick in range(0, 101, 20):
        body.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" '
                    f'y2="{top + row_h * len(rows)}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{x(tick):.1f}" y="{top + row_h * len(rows) + 16}" '
                    f'font-size="11" fill="{MUTED}" text-anchor="middle">{tick}</text>')
    for k, row in enumerate(rows):
        y = top + k * row_h
        name = row["name_en"] if lang == "en" else row["name_th"]
        body.append(f'<text x="{left - 8}" y="{y + bar_h - 4}" font-size="13" fill="{INK}" '
                    f'text-anchor="end">{escape(row["code"])}. {escape(name)}</text>')
        score = row.get("score")
        if score is None:
            body.append(f'<text x="{640 - 6}" y="{y + bar_h - 4}" font-size="13" '
                        f'fill="{MUTED}" text-anchor="end">–</text>')
            continue
        colour = MET if score >= target else BELOW
        body.append(f'<rect x="{left}" y="{y}" width="{x(score) - left:.1f}" height="{bar_h}" '
                    f'fill="{colour}"/>')
        # values in their own column to the right, clear of the bars and the target line
        body.append(f'<text x="{640 - 6}" y="{y + bar_h - 4}" font-size="13" fill="{colour}" '
                    f'text-anchor="end" font-weight="bold">{_fmt(score)}</text>')
    tx = x(target)
    body.append(f'<line x1="{tx:.1f}" y1="{top - 10}" x2="{tx:.1f}" '
                f'y2="{top + row_h * len(rows) + 2}" stroke="{TARGET}" stroke-width="2" '
                f'stroke-dasharray="5 4"/>')
    target_label = f"target {target:g}" if lang == "en" else f"เป้าหมาย {target:g}"
    body.append(f'<text x="{tx:.1f}" y="{top - 13}" font-size="11" fill="{TARGET}" '
                f'text-anchor="middle">{escape(target_label)}</text>')
    return _svg(640, height, title or target_label, body)


def trend_svg(history: Sequence[dict], *, lang: str = "th", title: str = "",
              pass_mark: float | None = None) -> Markup:
    """The multi-year line: B.E. years along the bottom, each year's total labelled.

    ``history``: dicts with ``fiscal_year_be`` and ``total`` (rounded, or None: a gap).
    """
    points = [(h["fiscal_year_be"], h["total"]) for h in history]
    known = [t for _, t in points if t is not None]
    width, height, left, right, top, bottom = 640, 240, 44, 20, 24, 34
    if not known:
        return _svg(width, 60, title or "-", [
            f'<text x="10" y="30" font-size="13" fill="{MUTED}">–</text>'])
    low = min([*known, pass_mark if pass_mark is not None else 100.0])
    low = max(0.0, (int(low) // 10) * 10 - (10 if low % 10 < 3 else 0))
    high = 100.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(k: int) -> float:
        return left + (plot_w * (k + 0.5) / len(points))

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    body = []
    step = 5 if high - low <= 30 else 10
    tick = low
    while tick <= high:
        body.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" '
                    f'y2="{y(tick):.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
                    f'fill="{MUTED}" text-anchor="end">{tick:g}</text>')
        tick += step
    if pass_mark is not None:
        label = f"pass {pass_mark:g}" if lang == "en" else f"ผ่าน {pass_mark:g}"
        body.append(f'<line x1="{left}" y1="{y(pass_mark):.1f}" x2="{width - right}" '
                    f'y2="{y(pass_mark):.1f}" stroke="{TARGET}" stroke-width="1.5" '
                    f'stroke-dasharray="5 4"/>')
        body.append(f'<text x="{width - right}" y="{y(pass_mark) - 4:.1f}" font-size="11" '
                    f'fill="{TARGET}" text-anchor="end">{escape(label)}</text>')
    segment: list[str] = []
    for k, (year, total) in enumerate(points):
        body.append(f'<text x="{x(k):.1f}" y="{height - 12}" font-size="12" fill="{INK}" '
                    f'text-anchor="middle">{escape(str(year))}</text>')
        if total is None:
            if len(segment) > 1:
                body.append(f'<polyline points="{" ".join(segment)}" fill="none" '
                            f'stroke="{MET}" stroke-width="2.5"/>')
            segment = []
            continue
        segment.append(f"{x(k):.1f},{y(total):.1f}")
    if len(segment) > 1:
        body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{MET}" '
                    f'stroke-width="2.5"/>')
    for k, (_, total) in enumerate(points):
        if total is None:
            continue
        body.append(f'<circle cx="{x(k):.1f}" cy="{y(total):.1f}" r="4" fill="{MET}"/>')
        body.append(f'<text x="{x(k):.1f}" y="{y(total) - 9:.1f}" font-size="12" fill="{INK}" '
                    f'text-anchor="middle">{_fmt(total)}</text>')
    return _svg(width, height, title or "ITA", body)


def grade_bars_svg(distribution: Sequence[tuple[str, int]], *, title: str = "") -> Markup:
    """Vertical bars: how many agencies have each grade (counts given, not computed here)."""
    width, height, left, bottom, top = 360, 150, 10, 24, 18
    peak = max([n for _, n in distribution] + [1])
    slot = (width - 2 * left) / max(len(distribution), 1)
    body = []
    for k, (grade, n) in enumerate(distribution):
        h = (height - top - bottom) * n / peak
        x0 = left + k * slot + slot * 0.15
        y0 = height - bottom - h
        body.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{h:.1f}" fill="{MET}"/>')
        body.append(f'<text x="{x0 + slot * 0.35:.1f}" y="{y0 - 4:.1f}" font-size="12" '
                    f'fill="{INK}" text-anchor="middle">{n}</text>')
        body.append(f'<text x="{x0 + slot * 0.35:.1f}" y="{height - 6}" font-size="12" '
                    f'fill="{INK}" text-anchor="middle">{escape(grade)}</text>')
    return _svg(width, height, title or "grades", body)
