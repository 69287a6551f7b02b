"""The values the trends work on: query filters and aggregate cells (never caller text or pseudonyms)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

# The dimensions of a cell, in export order. ``type`` and ``category`` are the confirmed coding only;
# ``rumour_id`` is set only for a reviewed rumour linked by a confirmed (not suggested) match.
DIMENSIONS = ("country", "admin1", "language", "channel", "type", "category", "rumour_id")


@dataclass(frozen=True)
class TrendFilters:
    """What to count: received dates (inclusive, UTC) and optional equality filters."""

    date_from: date
    date_to: date
    country: str | None = None
    language: str | None = None
    channel: str | None = None
    category: str | None = None
    admin1: str | None = None
    rumour_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Cell(NamedTuple):
    """Reports counted in one week for one combination of dimensions.

    A named tuple, not a dataclass: the trends build hundreds of thousands of these per query, and a tuple is
    built several times faster than a frozen dataclass.
    """

    week: date
    country: str | None
    admin1: str | None
    language: str | None
    channel: str | None
    type: str | None
    category: str | None
    rumour_id: int | None
    count: int  # type: ignore[assignment]  # shadows tuple.count on purpose: "count" is what it is

    def key(self) -> tuple[tuple[bool, str | int], ...]:
        """A total, database-independent sort key: None first, then values (ids as numbers, text by code point)."""
        return tuple((value is not None, "" if value is None else value) for value in self[1:8])


class PublishedCell(NamedTuple):
    """A cell as published: its count, or None when suppressed (and why)."""

    cell: Cell
    count: int | None  # type: ignore[assignment]  # shadows tuple.count on purpose
    suppressed: str | None = None  # "primary" (under k) or "secondary" (would let a primary be recomputed)
