"""ISO weeks, computed in Python so SQLite and PostgreSQL agree (reports store the Monday of their ISO week)."""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_start(day: date) -> date:
    """The Monday of the ISO week that ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """The ISO week of ``monday`` as ``YYYY-Www`` (the ISO year, which differs from the calendar year near 1 Jan)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(label: str) -> date:
    """The Monday of ISO week ``label`` (``2026-W48``); ValueError when it is not a real ISO week."""
    found = _WEEK.match(label.strip())
    if not found:
        raise ValueError(f"not an ISO week (YYYY-Www): {label!r}")
    year, week = int(found.group(1)), int(found.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"ISO year {year} has no week {week}") from exc


def weeks_between(first: date, last: date) -> list[date]:
    """Every Monday from the week of ``first`` to the week of ``last``, inclusive."""
    monday, end = week_start(first), week_start(last)
    out: list[date] = []
    while monday <= end:
        out.append(monday)
        monday += timedelta(days=7)
    return out
