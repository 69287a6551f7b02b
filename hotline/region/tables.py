"""A week's regional table, pure: report cells summed to country x language x category x reviewed rumour, then
suppressed as the trend exports are (hotline.trends.suppression), with the week's total."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from hotline.exports.columns import WEEK_COLUMNS, Column
from hotline.trends.cells import Cell
from hotline.trends.suppression import suppress_group
from hotline.trends.weeks import week_label

ROW_CELL = "cell"
ROW_TOTAL = "week_total"
# One published row per list, in this order; the feed carries the names and HXL hashtags with the rows.
REGION_COLUMNS: tuple[Column, ...] = (
    *WEEK_COLUMNS,
    Column("row", "#meta+row"),
    Column("country", "#country+code"),
    Column("language", "#language+code"),
    Column("category", "#x_feedback+category"),
    Column("rumour_id", "#x_rumour+id"),
    Column("count", "#indicator+reports+num", numeric=True),
    Column("suppressed", "#meta+suppressed"),
)


def regional_cells(cells: Iterable[Cell]) -> list[Cell]:
    """The week's cells summed over admin1, channel and type (fewer, larger cells: fewer hidden)."""
    sums: Counter[tuple[date, str | None, str | None, str | None, int | None]] = Counter()
    for cell in cells:
        sums[(cell.week, cell.country, cell.language, cell.category, cell.rumour_id)] += cell.count
    return [Cell(week, country, None, language, None, None, category, rumour, count)
            for (week, country, language, category, rumour), count in sums.items()]


def week_rows(monday: date, cells: Iterable[Cell], k: int) -> list[list[Any]]:
    """The week's published rows (cells, then the total), suppressed with threshold ``k``; empty for no reports."""
    summed = regional_cells(cells)
    if not summed:
        return []
    group = suppress_group(summed, k)
    label, start = week_label(monday), monday.isoformat()
    rows: list[list[Any]] = [
        [label, start, ROW_CELL, p.cell.country, p.cell.language, p.cell.category, p.cell.rumour_id,
         p.count, p.suppressed] for p in group.cells]
    rows.append([label, start, ROW_TOTAL, None, None, None, None, group.total,
                 None if group.total is not None else "secondary"])
    return rows
