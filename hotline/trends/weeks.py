"""ISO weeks, computed in Python so SQLite and PostgreSQL agree (reports store the Monday of their ISO week)."""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_start(day: date) -> date:
    """The Monday of the ISO week that ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def week_end(day: date) -> date:
    """The Sunday of the ISO week that ``day`` falls in."""
    return week_start(day) + timedelta(days=6)


def whole_weeks(first: date, last: date) -> tuple[date, date]:
    """``first``..``last`` widened to whole ISO weeks: (the Monday of ``first``'s week, the Sunday of ``last``'s).

    Every published range is made of whole weeks: counts are weekly cells, and two ranges a day apart would
    otherwise differ by one day's reports, however few (a suppressed count given back by subtraction).
    """
    return week_start(first), week_end(last)


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


def partial_index(mondays: list[date], today: date) -> int | None:
    """The index in ``mondays`` of the week that is still going on ``today`` (counted so far, not whole), if any."""
    current = week_start(today)
    return mondays.index(current) if current in mondays else None
