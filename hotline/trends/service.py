"""Trend services: published (suppressed) export records streamed week by week; the summary the dashboard shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy.orm import Session

from hotline.trends.cells import Cell, PublishedCell, TrendFilters
from hotline.trends.config import confirmed_match_score, trends_config
from hotline.trends.linked import canonical, key_order, publish_week
from hotline.trends.queries import iter_cells, iter_weeks
from hotline.trends.rising import YEAR, Rise, find_rises
from hotline.trends.series import Series, weekly_series
from hotline.trends.suppression import check_k, suppress_group
from hotline.trends.weeks import week_label, week_start, weeks_between

ROW_CELL = "cell"
ROW_TOTAL = "week_total"


class ExportRecord(NamedTuple):
    """One row of a trends export: aggregates only, no caller text, no pseudonyms (a tuple: built per cell)."""

    iso_week: str
    week_start: date
    row: str
    country: str | None
    admin1: str | None
    language: str | None
    channel: str | None
    type: str | None
    category: str | None
    rumour_id: int | None
    count: int | None  # type: ignore[assignment]  # shadows tuple.count on purpose
    suppressed: str | None


def _record(published: PublishedCell) -> ExportRecord:
    cell = published.cell
    return ExportRecord(week_label(cell.week), cell.week, ROW_CELL, cell.country, cell.admin1, cell.language,
                        cell.channel, cell.type, cell.category, cell.rumour_id, published.count, published.suppressed)


def export_records(session: Session, filters: TrendFilters, k: int | None = None) -> Iterator[ExportRecord]:
    """Every published cell, then the week's total, week by week; counts under ``k`` suppressed."""
    k = check_k(k if k is not None else trends_config().min_cell_count)
    for cells in iter_weeks(session, filters, confirmed_match_score()):
        group = suppress_group(cells, k)
        yield from (_record(published) for published in group.cells)
        monday = cells[0].week
        yield ExportRecord(week_label(monday), monday, ROW_TOTAL, None, None, None, None, None, None, None,
                           group.total, None if group.total is not None else "secondary")



@dataclass(frozen=True)
class TrendSummary:
    """What the dashboard and /api/v1/trends show: a suppressed weekly series and the rises of the last week."""

    filters: TrendFilters
    series: Series
    rising_rumours: list[Rise]
    rising_categories: list[Rise]
    k: int
    rising_week: date


def trend_summary(session: Session, filters: TrendFilters, group_by: str = "category",
                  k: int | None = None) -> TrendSummary:
    """Weekly counts by ``group_by`` over the range, and what rose unusually in its last week."""
    cfg = trends_config()
    k = check_k(k if k is not None else cfg.min_cell_count)
    weeks = weeks_between(filters.date_from, filters.date_to)
    in_range = list(iter_cells(session, filters, confirmed_match_score()))
    series = weekly_series(in_range, group_by, weeks, k)
    last = weeks[-1]
    history_start = last - YEAR - timedelta(weeks=cfg.rising.recent_weeks + 2)
    history = list(iter_cells(session, replace(filters, date_from=history_start, date_to=filters.date_to),
                              confirmed_match_score()))
    rising = replace(cfg.rising, min_count=max(cfg.rising.min_count, k))  # a flagged count is never a small cell
    rumours = find_rises(history, lambda c: c.rumour_id, last, rising, _first_week(history, last))
    categories = find_rises(history, lambda c: c.category, last, rising, _first_week(history, last))
    return TrendSummary(filters, series, rumours, categories, k, last)


def _first_week(cells: list[Cell], fallback: date) -> date:
    return min((cell.week for cell in cells), default=fallback)


TableLabel = Callable[[str, str | int | None], str]


def table_records(session: Session, filters: TrendFilters, dims: Sequence[str], label: TableLabel,
                  today: date, k: int | None = None) -> Iterator[SimpleNamespace]:
    """The trends by the chosen ``dims`` week by week, suppressed consistently with every coarser choice
    (hotline.trends.linked), then the week's total; each code with its name (``label(dim, code)``) beside it.

    ``label`` is called here, while the rows are made: give a plain function over names prepared in the request
    (a streamed body has no request, so no translations, of its own).
    """
    k = check_k(k if k is not None else trends_config().min_cell_count)
    chosen = canonical(dims)
    current = week_start(today)
    for cells in iter_weeks(session, filters, confirmed_match_score()):
        monday = cells[0].week
        table = publish_week(cells, chosen, k)
        common = {"iso_week": week_label(monday), "week_start": monday,
                  "partial": "partial" if monday == current else ""}
        for key in sorted(table.counts, key=key_order):
            row = SimpleNamespace(**common, row=ROW_CELL, count=table.published[key],
                                  suppressed=table.marks.get(key))
            for dim, value in zip(chosen, key, strict=True):
                setattr(row, dim, value)
                setattr(row, _NAME_COLUMN[dim], label(dim, value))
            yield row
        total = publish_week(cells, (), k)
        blank = {dim: None for dim in chosen} | {_NAME_COLUMN[dim]: None for dim in chosen}
        yield SimpleNamespace(**common, row=ROW_TOTAL, count=total.published.get(()),
                              suppressed=total.marks.get(()), **blank)


_NAME_COLUMN = {"country": "country_name", "admin1": "admin1_name", "language": "language_name",
                "channel": "channel_name", "type": "type_name", "category": "category_name",
                "rumour_id": "rumour_name"}
