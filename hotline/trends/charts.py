"""From a suppressed weekly series to chart inputs (pure): the top values as lines, and totals as bars."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from hotline.trends.series import Series
from hotline.trends.weeks import week_label

Label = Callable[[str | int | None], str]


def _published_totals(series: Series) -> dict[str | int | None, int]:
    totals: dict[str | int | None, int] = defaultdict(int)
    for point in series.points:
        totals[point.value] += point.count or 0
    return totals


def top_values(series: Series, top: int = 6) -> list[str | int | None]:
    """The ``top`` values by published count, in the order the weekly chart draws (and its legend lists) them."""
    totals = _published_totals(series)
    return sorted(totals, key=lambda value: (-totals[value], str(value)))[:top]


def line_inputs(series: Series, label: Label, top: int = 6) -> tuple[list[str], list[tuple[str, list[int | None]]]]:
    """Week labels, and for the ``top`` values by published count: counts per week (None where suppressed)."""
    chosen = top_values(series, top)
    index = {week: i for i, week in enumerate(series.weeks)}
    lines: dict[str | int | None, list[int | None]] = {value: [0] * len(series.weeks) for value in chosen}
    for point in series.points:
        if point.value in lines and point.week_start in index:
            lines[point.value][index[point.week_start]] = point.count
    return [week_label(w) for w in series.weeks], [(label(value), lines[value]) for value in chosen]


def bar_inputs(series: Series, label: Label, top: int = 12) -> list[tuple[str, int]]:
    """The ``top`` values by published count over the whole range."""
    totals = _published_totals(series)
    ordered = sorted(totals, key=lambda value: (-totals[value], str(value)))[:top]
    return [(label(value), totals[value]) for value in ordered if totals[value]]
