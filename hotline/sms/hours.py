"""Office hours as a caller reads them in an SMS: days named in their language, times as digits. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names

DASH = "-"  # a hyphen, not an en dash: an en dash would make a Latin-script SMS UCS-2 (fewer letters a segment)
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def describe_hours(days: Iterable[str], opens: time, closes: time, locale: str) -> str:
    """``days`` (``mon``..``sun``) and the hours, e.g. ``Sat-Wed 08:00-16:00``, the days named in ``locale``."""
    names = _day_names(locale)
    runs = [f"{names[run[0]]}{DASH}{names[run[-1]]}" if len(run) > 2 else ", ".join(names[d] for d in run)
            for run in _runs({WEEK.index(d) for d in days})]
    closing = "24:00" if closes == time.max else closes.strftime("%H:%M")
    return f"{', '.join(runs)} {opens.strftime('%H:%M')}{DASH}{closing}"


def preload(locales: Iterable[str]) -> None:
    """Read the day names of ``locales`` now (babel's locale data: tens of milliseconds each), so that no first
    acknowledgement in a language reads them inside its transaction."""
    for locale in locales:
        _day_names(locale)


def _runs(indexes: set[int]) -> list[list[int]]:
    """Consecutive days as runs, wrapping round the week (Sat, Sun, Mon is one run)."""
    if len(indexes) == len(WEEK):
        return [list(range(len(WEEK)))]
    first = next(i for i in range(len(WEEK)) if i in indexes and (i - 1) % len(WEEK) not in indexes)
    runs: list[list[int]] = []
    for offset in range(len(WEEK)):
        day = (first + offset) % len(WEEK)
        if day not in indexes:
            continue
        if runs and (runs[-1][-1] + 1) % len(WEEK) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


@cache  # a handful of locales; babel's parsing costs milliseconds, and every acknowledgement names the days
def _day_names(locale: str) -> dict[int, str]:
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
    return {index: str(name) for index, name in get_day_names("abbreviated", locale=parsed).items()}
