"""Small SVG charts for the dashboard, rendered on the server (issue #11).

No chart library: nothing may come from a CDN, and four chart shapes do not justify shipping
one. Each function returns an <svg> string (every label escaped) that the page inlines. The
console's Content-Security-Policy forbids inline `style` attributes, so colours and fonts are
SVG presentation attributes. Each chart has role="img", a <title> and a <desc> that says the
figures in words, for screen readers; the tables under the charts hold the same numbers.
"""

from __future__ import annotations

from html import escape
from typing import Dict, List, Optional, Sequence, Tuple

# Colour-blind-safe palette (Okabe–Ito), one colour per series in a fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
UP, DOWN, MISSED = "#009E73", "#D55E00", "#D55E00"
TEXT, AXIS, GRID = "#1d2733", "#5b6b7b", "#e3e8ee"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg(width: int, height: int, title: str, desc: str, body: List[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<desc>{escape(desc)}</desc>' + "".join(body) + "</svg>")


def _empty(title: str) -> str:
    return _svg(600, 60, title, "Chưa có dữ liệu.",
                [f'<text x="10" y="35" {FONT} fill="{AXIS}">Chưa có dữ liệu trong khoảng này.</text>'])


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def stacked_columns(title: str, categories: Sequence[str], series: Dict[str, Sequence[float]],
                    labels: Optional[Sequence[str]] = None) -> str:
    """Columns per category (a day), stacked by series (a channel), with a legend."""
    if not categories or not series:
        return _empty(title)
    labels = list(labels or categories)
    width, height, left, top, bottom = 720, 260, 40, 30, 40
    plot_w, plot_h = width - left - 10, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top_value = _nice_max(max(totals))
    step = plot_w / len(categories)
    bar = max(2.0, min(40.0, step * 0.7))
    body = []
    for tick in (0, top_value / 2, top_value):
        y = top + plot_h - plot_h * tick / top_value
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GRID}"/><text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" '
                    f'{FONT} fill="{AXIS}">{tick:g}</text>')
    names = list(series)
    for index in range(len(categories)):
        x = left + step * index + (step - bar) / 2
        base = top + plot_h
        parts = []
        for number, name in enumerate(names):
            value = series[name][index]
            if not value:
                continue
            h = plot_h * value / top_value
            base -= h
            parts.append(f"{name} {value:g}")
            body.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[number % len(PALETTE)]}"><title>'
                        f'{escape(labels[index])}: {escape(name)} {value:g}</title></rect>')
        every = max(1, len(categories) // 12)  # at most about 12 date labels
        if index % every == 0:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" '
                        f'text-anchor="middle" {FONT} fill="{AXIS}">{escape(labels[index])}</text>')
    for number, name in enumerate(names):
        x = left + number * 110
        body.append(f'<rect x="{x}" y="6" width="12" height="12" '
                    f'fill="{PALETTE[number % len(PALETTE)]}"/><text x="{x + 16}" y="16" {FONT} '
                    f'fill="{TEXT}">{escape(name)}</text>')
    desc = "; ".join(f"{labels[i]}: {totals[i]:g}" for i in range(len(categories)))
    return _svg(width, height, title, desc, body)


def bars(title: str, rows: Sequence[Tuple[str, float]], unit: str = "",
         color: str = PALETTE[0]) -> str:
    """Horizontal bars, one per row (label, value), largest scale first as given."""
    if not rows:
        return _empty(title)
    label_w, row_h, width = 250, 24, 720
    height = row_h * len(rows) + 10
    top_value = _nice_max(max(v for _, v in rows))
    plot_w = width - label_w - 60
    body = []
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_h
        w = plot_w * value / top_value
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {FONT} '
                    f'fill="{TEXT}">{escape(_short(label))}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{color}"><title>{escape(label)}: {value:g}{unit}</title></rect>'
                    f'<text x="{label_w + w + 5:.1f}" y="{y + 15}" {FONT} '
                    f'fill="{TEXT}">{value:g}{escape(unit)}</text>')
    desc = "; ".join(f"{label}: {value:g}{unit}" for label, value in rows)
    return _svg(width, height, title, desc, body)


def share_columns(title: str, rows: Sequence[Tuple[str, Optional[float]]]) -> str:
    """Columns of a share (0–1) per category, as percentages on a 0–100 % axis."""
    if not rows:
        return _empty(title)
    width, height, left, top, bottom = 720, 200, 40, 10, 30
    plot_w, plot_h = width - left - 10, height - top - bottom
    step = plot_w / len(rows)
    bar = max(2.0, min(40.0, step * 0.7))
    body = []
    for tick in (0, 50, 100):
        y = top + plot_h - plot_h * tick / 100
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GRID}"/><text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" '
                    f'{FONT} fill="{AXIS}">{tick}%</text>')
    every = max(1, len(rows) // 12)
    for index, (label, share) in enumerate(rows):
        x = left + step * index + (step - bar) / 2
        percent = 100 * (share or 0)
        h = plot_h * percent / 100
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                    f'height="{h:.1f}" fill="{MISSED}"><title>{escape(label)}: '
                    f'{percent:.0f}%</title></rect>')
        if index % every == 0:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                        f'{FONT} fill="{AXIS}">{escape(label)}</text>')
    desc = "; ".join(f"{label}: {100 * (share or 0):.0f}%" for label, share in rows)
    return _svg(width, height, title, desc, body)


def up_down(title: str, rows: Sequence[Tuple[str, int, int]]) -> str:
    """One 100 % bar per row (label, 👍, 👎): the green part is the share of 👍. Words, not
    emoji, in the figures: an office PC without an emoji font would show empty boxes."""
    rows = [r for r in rows if r[1] + r[2]]
    if not rows:
        return _empty(title)
    label_w, row_h, width = 250, 24, 720
    plot_w = width - label_w - 140  # room for "100% hữu ích (999)"
    height = row_h * len(rows) + 10
    body = []
    for index, (label, up, down) in enumerate(rows):
        y = 5 + index * row_h
        up_w = plot_w * up / (up + down)
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {FONT} '
                    f'fill="{TEXT}">{escape(_short(label))}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{up_w:.1f}" height="{row_h - 8}" '
                    f'fill="{UP}"><title>{escape(label)}: {up} hữu ích</title></rect>'
                    f'<rect x="{label_w + up_w:.1f}" y="{y + 3}" width="{plot_w - up_w:.1f}" '
                    f'height="{row_h - 8}" fill="{DOWN}"><title>{escape(label)}: {down} chưa đúng'
                    f'</title></rect><text x="{label_w + plot_w + 6}" y="{y + 15}" {FONT} '
                    f'fill="{TEXT}">{100 * up / (up + down):.0f}% hữu ích ({up + down})</text>')
    desc = "; ".join(f"{label}: {up} hữu ích, {down} chưa đúng" for label, up, down in rows)
    return _svg(width, height, title, desc, body)
