"""Small server-side SVG charts (pure): no script, no external resource, every label escaped.

A suppressed point is drawn as a gap in its line, never as zero: a gap says "not published", zero would lie.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#8a9a5b", "#3d405b", "#e07a5f")
FONT = "Noto Sans, Noto Sans Arabic, Noto Sans Bengali, Noto Sans Thai, sans-serif"


def _open(width: int, height: int, title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} font-family="{FONT}" '
            f'font-size="12">', f"<title>{escape(title)}</title>",
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
            f'<text x="12" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude: int = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | None]]],
               width: int = 760, height: int = 320) -> str:
    """Weekly lines, one per series (name, values aligned with ``x_labels``); None values leave gaps."""
    left, right, top, bottom = 48, 170, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for _, values in series for v in values if v is not None), default=0))
    step = plot_w / max(len(x_labels) - 1, 1)
    out = _open(width, height, title)
    for i in range(5):
        value = peak * i // 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            out.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                       f'direction="ltr">{escape(label)}</text>')
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        for run in _runs(values):
            points = " ".join(f"{left + i * step:.1f},{top + plot_h - plot_h * v / peak:.1f}" for i, v in run)
            if len(run) == 1:
                i, v = run[0]
                out.append(f'<circle cx="{left + i * step:.1f}" cy="{top + plot_h - plot_h * v / peak:.1f}" '
                           f'r="2.5" fill="{colour}"/>')
            else:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        y = top + 14 + n * 18
        out.append(f'<rect x="{width - right + 12}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{width - right + 28}" y="{y}" dir="auto">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _runs(values: Sequence[int | None]) -> list[list[tuple[int, int]]]:
    runs: list[list[tuple[int, int]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]


def bar_chart(title: str, bars: Sequence[tuple[str, int]], width: int = 760, bar_height: int = 20) -> str:
    """Horizontal bars (label, value), largest first as given."""
    left, top = 200, 34
    height = top + len(bars) * (bar_height + 6) + 16
    peak = _nice_max(max((v for _, v in bars), default=0))
    plot_w = width - left - 60
    out = _open(width, height, title)
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_height + 6)
        length = plot_w * value / peak
        out.append(f'<text x="{left - 8}" y="{y + bar_height - 6}" text-anchor="end" dir="auto">{escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{left + length + 6:.1f}" y="{y + bar_height - 6}">{value}</text>')
    out.append("</svg>")
    return "\n".join(out)
