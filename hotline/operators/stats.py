"""Live-voice figures for supervisors. Pure: no Flask, no database; counts and waits only, never a caller."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from statistics import median

from hotline.operators.routing import ABANDONED, ANSWERED, VOICEMAIL

OUTCOMES = (ANSWERED, ABANDONED, VOICEMAIL)


@dataclass(frozen=True)
class QueueEnding:
    """How one caller's wait for an operator ended."""

    day: date
    language: str
    outcome: str
    wait_seconds: int


@dataclass(frozen=True)
class DayFigures:
    """One day and language: callers answered / abandoned / sent to voicemail, and the median wait."""

    day: date
    language: str
    counts: dict[str, int]
    median_wait_seconds: float | None


def daily_figures(endings: Iterable[QueueEnding]) -> list[DayFigures]:
    """Per day and language, newest day first."""
    counts: dict[tuple[date, str], Counter[str]] = defaultdict(Counter)
    waits: dict[tuple[date, str], list[int]] = defaultdict(list)
    for ending in endings:
        key = (ending.day, ending.language)
        counts[key][ending.outcome] += 1
        waits[key].append(ending.wait_seconds)
    return [DayFigures(day, language, {o: counts[(day, language)][o] for o in OUTCOMES},
                       float(median(waits[(day, language)])) if waits[(day, language)] else None)
            for day, language in sorted(counts, key=lambda k: (-k[0].toordinal(), k[1]))]


def waiting_by_language(waits: Iterable[tuple[str, float]]) -> dict[str, tuple[int, int]]:
    """(language, seconds waited so far) -> per language: callers waiting and the longest wait in seconds."""
    found: dict[str, list[float]] = defaultdict(list)
    for language, seconds in waits:
        found[language].append(seconds)
    return {language: (len(values), int(max(values))) for language, values in sorted(found.items())}


def operators_by_language(languages_of_each: Iterable[Iterable[str]]) -> dict[str, int]:
    """Available operators per language (an operator of two languages counts in both)."""
    counted: Counter[str] = Counter()
    for languages in languages_of_each:
        counted.update(set(languages))
    return dict(sorted(counted.items()))
