"""Pure figures for supervisors and the rumour list: percentiles, age buckets, sparklines (no Flask, no DB)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

AGE_BUCKETS = ((1, "<1h"), (4, "1-4h"), (24, "4-24h"), (72, "1-3d"), (None, ">3d"))


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` percentile (0..1) by linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class ResponseTimes:
    """Median and 90th percentile of response times, in hours, over ``count`` answered reports."""

    count: int
    median_hours: float | None
    p90_hours: float | None


def response_times(pairs: Sequence[tuple[datetime, datetime]]) -> ResponseTimes:
    """From (received, answered) pairs; negative durations (clock skew) count as zero."""
    hours = [max(0.0, (answered - received).total_seconds() / 3600) for received, answered in pairs]
    return ResponseTimes(len(hours), percentile(hours, 0.5), percentile(hours, 0.9))


def age_bucket(received_at: datetime, now: datetime) -> str:
    """The label of the age bucket a report received at ``received_at`` falls in."""
    age = now - received_at
    for limit, label in AGE_BUCKETS:
        if limit is None or age < timedelta(hours=limit):
            return label
    return AGE_BUCKETS[-1][1]


def backlog_table(rows: Sequence[tuple[str | None, datetime]], now: datetime) -> dict[str, dict[str, int]]:
    """Open reports counted by language (``?`` when unknown) and age bucket."""
    table: dict[str, dict[str, int]] = {}
    for language, received_at in rows:
        counts = table.setdefault(language or "?", {label: 0 for _, label in AGE_BUCKETS})
        counts[age_bucket(received_at, now)] += 1
    return dict(sorted(table.items()))


def sparkline_points(counts: Sequence[int], width: int = 80, height: int = 20) -> str:
    """SVG polyline points for ``counts`` scaled into ``width`` x ``height`` (y grows downwards)."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(1, len(counts) - 1)
    return " ".join(f"{i * step:.1f},{height - (c / top) * (height - 2) - 1:.1f}" for i, c in enumerate(counts))


def weekly_series(counts: dict[object, int], weeks: Sequence[object]) -> list[int]:
    """Counts for each of ``weeks`` in order, zero where a week had none."""
    return [counts.get(week, 0) for week in weeks]
