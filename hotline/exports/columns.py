"""The columns of a trends export: header, HXL hashtag and how to read each from a record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from hotline.exports.guard import neutralise


@dataclass(frozen=True)
class Column:
    """One export column."""

    name: str
    hxl: str
    numeric: bool = False
    date: bool = False  # a real date cell in XLSX (ISO text in CSV and JSON)


# HXL tags: core hashtags where one fits (#date, #country, #adm1, #indicator), #meta for metadata, and
# x_-prefixed custom hashtags (HXL's convention for extensions) for the codebook's type and category.
# Every #date column holds an ISO date (YYYY-MM-DD), as libhxl's default schema requires: the ISO week label
# (2026-W49) is not a date to HXL tools, so it is #meta+week and the week's Monday beside it is the #date.
WEEK_COLUMNS: tuple[Column, ...] = (
    Column("iso_week", "#meta+week"),
    Column("week_start", "#date+week_start", date=True),
)
TREND_COLUMNS: tuple[Column, ...] = (
    *WEEK_COLUMNS,
    Column("row", "#meta+row"),
    Column("country", "#country+code"),
    Column("admin1", "#adm1+code"),
    Column("language", "#language+code"),
    Column("channel", "#meta+channel"),
    Column("type", "#x_feedback+type"),
    Column("category", "#x_feedback+category"),
    Column("rumour_id", "#x_rumour+id"),
    Column("count", "#indicator+reports+num", numeric=True),
    Column("suppressed", "#meta+suppressed"),
)


def cell_value(value: Any) -> Any:
    """A record's value as written to a file: dates as ISO text, None as empty, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def record_rows(records: Iterable[Any], columns: tuple[Column, ...] = TREND_COLUMNS) -> Iterator[list[Any]]:
    """Each record as a list of cell values in column order."""
    for record in records:
        yield [cell_value(getattr(record, column.name)) for column in columns]


# The chosen-dimension tables (the trends page's export): each dimension's code and, beside it, its name in the
# language of the person who asked (HXL's +name attribute), so a reader needs no codebook.
DIMENSION_COLUMNS: dict[str, tuple[Column, Column]] = {
    "country": (Column("country", "#country+code"), Column("country_name", "#country+name")),
    "admin1": (Column("admin1", "#adm1+code"), Column("admin1_name", "#adm1+name")),
    "language": (Column("language", "#language+code"), Column("language_name", "#language+name")),
    "channel": (Column("channel", "#meta+channel"), Column("channel_name", "#meta+channel+name")),
    "type": (Column("type", "#x_feedback+type"), Column("type_name", "#x_feedback+type+name")),
    "category": (Column("category", "#x_feedback+category"), Column("category_name", "#x_feedback+category+name")),
    "rumour_id": (Column("rumour_id", "#x_rumour+id"), Column("rumour_name", "#x_rumour+name")),
}


def table_columns(dims: tuple[str, ...]) -> tuple[Column, ...]:
    """The columns of a table by ``dims``: week, whether the week is partial, row kind, code and name per
    dimension, count and suppression mark."""
    chosen = [column for dim in dims for column in DIMENSION_COLUMNS[dim]]
    return (*WEEK_COLUMNS, Column("partial", "#meta+partial"), Column("row", "#meta+row"), *chosen,
            Column("count", "#indicator+reports+num", numeric=True), Column("suppressed", "#meta+suppressed"))
