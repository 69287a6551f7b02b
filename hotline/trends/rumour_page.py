"""What the analysts' read-only rumour page shows: a reviewed rumour's staff-written statement, its translations,
category and verification, and its weekly counts as the dashboard publishes them (pure shaping; no report, no
caller text: a candidate's statement is made from a caller's words and is never shown here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hotline.trends.cells import Cell
from hotline.trends.series import weekly_series
from hotline.trends.weeks import week_label, week_start


@dataclass(frozen=True)
class RumourWeek:
    """One week of one rumour: the published count (None: hidden) and whether the week is still going."""

    week: str
    week_start: date
    count: int | None
    partial: bool


def rumour_weeks(cells: Iterable[Cell], rumour_id: int, weeks: list[date], k: int, today: date) -> list[RumourWeek]:
    """The rumour's weekly counts, suppressed exactly as the dashboard's lines by rumour are (every rumour of the
    week in one group, with complementary suppression): showing it alone must not give back what the chart hides.
    A week without reports of it is 0."""
    series = weekly_series(cells, "rumour_id", weeks, k)
    counts: dict[date, int | None] = {week: 0 for week in weeks}
    for point in series.points:
        if point.value == rumour_id:
            counts[point.week_start] = point.count
    current = week_start(today)
    return [RumourWeek(week_label(week), week, counts[week], week == current) for week in weeks]
