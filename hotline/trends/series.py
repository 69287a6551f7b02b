"""Shaping cells into weekly series by one dimension, suppressed for publication (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from hotline.trends.cells import Cell
from hotline.trends.suppression import suppress_group
from hotline.trends.weeks import week_label

GROUPABLE = ("category", "type", "language", "channel", "country", "admin1", "rumour_id")
_EMPTY = Cell(date.min, None, None, None, None, None, None, None, 0)


@dataclass(frozen=True)
class SeriesPoint:
    """One week's count for one value of the grouped dimension (None when suppressed)."""

    week: str
    week_start: date
    value: str | int | None
    count: int | None
    suppressed: str | None


@dataclass(frozen=True)
class Series:
    """Weekly counts by one dimension; ``weeks`` lists every week in the range, ``totals`` each week's total."""

    group_by: str
    weeks: list[date]
    points: list[SeriesPoint]
    totals: dict[date, int | None]


def weekly_series(cells: Iterable[Cell], group_by: str, weeks: list[date], k: int) -> Series:
    """Sum ``cells`` by week and ``group_by``, then suppress each week's counts (with complementary suppression)."""
    if group_by not in GROUPABLE:
        raise ValueError(f"group_by must be one of {', '.join(GROUPABLE)}")
    sums: dict[date, Counter[str | int | None]] = {week: Counter() for week in weeks}
    for cell in cells:
        sums.setdefault(cell.week, Counter())[getattr(cell, group_by)] += cell.count
    points: list[SeriesPoint] = []
    totals: dict[date, int | None] = {}
    for week in sorted(sums):
        grouped = [_EMPTY._replace(week=week, count=count, **_only(group_by, value))
                   for value, count in sums[week].items() if count]
        if not grouped:
            totals[week] = 0
            continue
        published = suppress_group(grouped, k)
        totals[week] = published.total
        points.extend(SeriesPoint(week_label(week), week, getattr(p.cell, group_by), p.count, p.suppressed)
                      for p in published.cells)
    return Series(group_by, sorted(sums), points, totals)



def _only(group_by: str, value: str | int | None) -> dict[str, Any]:
    return {group_by: value}
