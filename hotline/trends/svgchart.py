"""Small server-side SVG charts (pure): no script, no external resource, every label escaped.

A suppressed point is drawn as a gap in its line, never as zero: a gap says "not published", zero would lie; a
small cross on the axis marks it, so a gap is not taken for a missing week. The current, unfinished week is
shaded and its segment dashed ("partial"): a week half-counted would otherwise read as a fall.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from hotline.trends.glyphs import outlined

PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#8a9a5b", "#3d405b", "#e07a5f")
FONT = "Noto Sans, Noto Sans Arabic, Noto Sans Bengali, Noto Sans Thai, sans-serif"


def _text(text: str, x: float, y: float, outline: bool, anchor: str = "start", size: float = 12,
          extra: str = "") -> str:
    """A label: real <text> for browsers, or glyph outlines (see hotline.trends.glyphs) for PNG."""
    if outline:
        drawn = outlined(text, x, y, size, anchor)
        if drawn is not None:
            return drawn
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}"{extra}>'
            f"{escape(text)}</text>")


def _open(width: int, height: int, title: str, outline: bool) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} font-family="{FONT}" '
            f'font-size="12">', f"<title>{escape(title)}</title>",
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
            _text(title, 12, 20, outline, size=14, extra=' font-weight="bold"')]


def _nice_step(value: int, ticks: int = 4) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) so that ``ticks`` steps reach ``value``."""
    raw = max(1, math.ceil(value / ticks))
    magnitude = 10 ** (len(str(raw)) - 1)
    return int(next(step * magnitude for step in (1, 2, 5, 10) if raw <= step * magnitude))


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | None]]],
               width: int = 760, height: int = 320, outline: bool = False, hidden_label: str | None = None,
               partial: int | None = None, partial_label: str | None = None) -> str:
    """Weekly lines, one per series (name, values aligned with ``x_labels``); None values leave gaps.

    A None at or before ``partial`` (or anywhere, without it) is a hidden count: a cross on the axis marks it, and
    ``hidden_label`` explains the cross in the legend. ``partial`` is the index of the unfinished period: shaded,
    reached by a dashed segment, explained by ``partial_label``; values after it are not drawn (not yet happened).
    """
    left, right, top, bottom = 48, 170, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    tick = _nice_step(max((v for _, values in series for v in values if v is not None), default=0))
    peak = 4 * tick
    step = plot_w / max(len(x_labels) - 1, 1)
    out = _open(width, height, title, outline)
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(_text(str(tick * i), left - 6, y + 4, outline, "end"))
    label_width = 7 * max((len(label) for label in x_labels), default=1) + 8
    every = max(1, math.ceil(label_width / max(step, 1)))
    for i, label in enumerate(x_labels):
        if i % every == 0:
            out.append(_text(label, left + i * step, height - bottom + 16, outline, "middle",
                             extra=' direction="ltr"'))
    if partial is not None:
        x0 = left + max(partial - 0.5, 0) * step
        out.append(f'<rect class="partial" x="{x0:.1f}" y="{top}" width="{left + plot_w - x0:.1f}" '
                   f'height="{plot_h}" fill="#eeeeee"/>')
    hidden_drawn = False
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        shown = [v if partial is None or i <= partial else None for i, v in enumerate(values)]
        for run in _runs(shown):
            out.extend(_run_shapes(run, colour, partial,
                                   lambda i, v: (left + i * step, top + plot_h - plot_h * v / peak)))
        for i, value in enumerate(values):
            if value is None and (partial is None or i <= partial):
                x, y = left + i * step, top + plot_h - 4 - 3 * (n % 3)
                out.append(f'<path class="suppressed" d="M{x - 3:.1f},{y - 3:.1f}L{x + 3:.1f},{y + 3:.1f}'
                           f'M{x - 3:.1f},{y + 3:.1f}L{x + 3:.1f},{y - 3:.1f}" stroke="{colour}" '
                           f'stroke-width="1.5"/>')
                hidden_drawn = True
        y = top + 14 + n * 18
        out.append(f'<rect x="{width - right + 12}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(_text(name, width - right + 28, y, outline))
    y = top + 14 + len(series) * 18 + 8
    if hidden_drawn and hidden_label:
        out.append(f'<path class="suppressed-key" d="M{width - right + 12},{y - 9}L{width - right + 22},{y + 1}'
                   f'M{width - right + 12},{y + 1}L{width - right + 22},{y - 9}" stroke="#555" stroke-width="1.5"/>')
        out.append(_text(hidden_label, width - right + 28, y, outline, size=10))
        y += 18
    if partial is not None and partial_label:
        out.append(f'<rect class="partial-key" x="{width - right + 12}" y="{y - 9}" width="10" height="10" '
                   f'fill="#eeeeee" stroke="#999"/>')
        out.append(_text(partial_label, width - right + 28, y, outline, size=10))
    out.append("</svg>")
    return "\n".join(out)


def _run_shapes(run: list[tuple[int, int]], colour: str, partial: int | None,
                at: Callable[[int, int], tuple[float, float]]) -> list[str]:
    """A run of consecutive published points: a dot when alone, else a line, its step into ``partial`` dashed."""
    if len(run) == 1:
        x, y = at(*run[0])
        return [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>']
    solid = run[:-1] if partial is not None and run[-1][0] == partial else run
    shapes = []
    if len(solid) > 1:
        points = " ".join("{:.1f},{:.1f}".format(*at(i, v)) for i, v in solid)
        shapes.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
    if solid is not run:
        points = " ".join("{:.1f},{:.1f}".format(*at(i, v)) for i, v in run[-2:])
        shapes.append(f'<polyline class="partial" fill="none" stroke="{colour}" stroke-width="2" '
                      f'stroke-dasharray="4 3" points="{points}"/>')
    return shapes


def _runs(values: Sequence[int | None]) -> list[list[tuple[int, int]]]:
    runs: list[list[tuple[int, int]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]


def bar_chart(title: str, bars: Sequence[tuple[str, int]], width: int = 760, bar_height: int = 20,
              outline: bool = False) -> str:
    """Horizontal bars (label, value), largest first as given."""
    left, top = 200, 34
    height = top + len(bars) * (bar_height + 6) + 16
    peak = 4 * _nice_step(max((v for _, v in bars), default=0))
    plot_w = width - left - 60
    out = _open(width, height, title, outline)
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_height + 6)
        length = plot_w * value / peak
        out.append(_text(label, left - 8, y + bar_height - 6, outline, "end"))
        out.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(_text(str(value), left + length + 6, y + bar_height - 6, outline))
    out.append("</svg>")
    return "\n".join(out)
