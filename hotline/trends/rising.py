"""Rising rumours and categories: this week against a baseline that respects seasonality (pure functions).

The expected count is the larger of the mean of the previous ``recent_weeks`` weeks and, when there is history a
year back, the mean of the same ISO week a year earlier and its two neighbours: a rise that happens every year at
this time (the sailing season) is expected, not news. A Poisson test gives the chance of at least this many
reports if nothing changed; a key is flagged when that chance is under ``alpha``, the count is at least
``min_count`` and the ratio to the baseline at least ``min_ratio``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from hotline.trends.cells import Cell
from hotline.trends.config import RisingConfig

_FLOOR = 0.5  # expected count for a key never seen before: a new rumour still needs min_count to be flagged
YEAR = timedelta(weeks=52)


def poisson_sf(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean), computed in log space so large counts neither overflow nor underflow."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0

    def log_term(i: int) -> float:
        return -mean + i * math.log(mean) - math.lgamma(i + 1)

    if count <= mean:  # the lower tail is the short sum here
        return max(0.0, 1.0 - sum(math.exp(log_term(i)) for i in range(count)))
    total, i = 0.0, count
    while True:  # terms fall geometrically once i > mean
        term = math.exp(log_term(i))
        total += term
        if term < 1e-17 * max(total, 1e-300) or i > count + 10_000:
            return min(1.0, total)
        i += 1


@dataclass(frozen=True)
class Baseline:
    """What was expected this week and where that expectation came from."""

    expected: float
    recent_mean: float
    seasonal_mean: float | None
    basis: str  # "recent" or "seasonal"


def baseline(series: Mapping[date, int], week: date, cfg: RisingConfig, history_start: date) -> Baseline:
    """The expected count for ``week`` from ``series`` (Monday -> count; missing weeks are zero)."""
    recent = [series.get(week - timedelta(weeks=n), 0) for n in range(1, cfg.recent_weeks + 1)]
    recent_mean = sum(recent) / len(recent)
    seasonal_mean: float | None = None
    if history_start <= week - YEAR - timedelta(weeks=1):
        same = [series.get(week - YEAR + timedelta(weeks=n), 0) for n in (-1, 0, 1)]
        seasonal_mean = sum(same) / len(same)
    if seasonal_mean is not None and seasonal_mean > recent_mean:
        return Baseline(max(seasonal_mean, _FLOOR), recent_mean, seasonal_mean, "seasonal")
    return Baseline(max(recent_mean, _FLOOR), recent_mean, seasonal_mean, "recent")


@dataclass(frozen=True)
class Rise:
    """One flagged rise, with what an analyst needs to read it in one line."""

    key: Hashable
    week: date
    count: int
    baseline: Baseline
    change_percent: int
    p_value: float
    languages: int
    top_channel: str | None
    top_region: str | None
    new: bool


def _breakdown(cells: Iterable[Cell]) -> tuple[int, str | None, str | None]:
    languages: set[str] = set()
    channels: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    for cell in cells:
        if cell.language:
            languages.add(cell.language)
        if cell.channel:
            channels[cell.channel] += cell.count
        region = cell.admin1 or cell.country
        if region:
            regions[region] += cell.count
    top = [c.most_common(1)[0][0] if c else None for c in (channels, regions)]
    return len(languages), top[0], top[1]


def find_rises(cells: Iterable[Cell], key: Callable[[Cell], Hashable | None], week: date, cfg: RisingConfig,
               history_start: date) -> list[Rise]:
    """Every key (e.g. rumour id, category) whose count in ``week`` is an unusual rise; biggest surprise first."""
    series: dict[Hashable, Counter[date]] = {}
    current: dict[Hashable, list[Cell]] = {}
    for cell in cells:
        k = key(cell)
        if k is None:
            continue
        series.setdefault(k, Counter())[cell.week] += cell.count
        if cell.week == week:
            current.setdefault(k, []).append(cell)
    rises = []
    for k, week_cells in current.items():
        count = series[k][week]
        base = baseline(series[k], week, cfg, history_start)
        p_value = poisson_sf(count, base.expected)
        if count < cfg.min_count or count < cfg.min_ratio * base.expected or p_value >= cfg.alpha:
            continue
        languages, channel, region = _breakdown(week_cells)
        new = not any(n for w, n in series[k].items() if w < week)
        change = round(100 * (count - base.expected) / base.expected)
        rises.append(Rise(k, week, count, base, change, p_value, languages, channel, region, new))
    return sorted(rises, key=lambda r: (r.p_value, -r.count, str(r.key)))
