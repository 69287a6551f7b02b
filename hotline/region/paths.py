"""Cross-border rumours, pure: a rumour's path across countries by week, and early warnings along routes.

Everything here reads published weekly rows only (this deployment's frozen weeks and its peers' signed weeks, in
the regional table's column order): a suppressed cell (count None) is skipped, never estimated, so neither a path
nor a warning can show a cell under k. A country's count in a week is the sum of its published cells for the
rumour, which anyone holding the feed can add up too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hotline.region.tables import REGION_COLUMNS, ROW_CELL
from hotline.trends.config import RisingConfig
from hotline.trends.rising import poisson_sf

_AT = {column.name: index for index, column in enumerate(REGION_COLUMNS)}


@dataclass(frozen=True)
class PublishedCount:
    """The published reports of one rumour (by its key) in one country and week."""

    key: Hashable
    country: str
    week: date
    count: int


def published_counts(rows: Iterable[Sequence[Any]], keys: Mapping[int, Hashable]) -> list[PublishedCount]:
    """Published cells of the rumours in ``keys`` (rumour id in the rows -> the key to count them under), summed by
    country and week; suppressed cells, week totals and rows of other rumours are left out."""
    sums: dict[tuple[Hashable, str, date], int] = defaultdict(int)
    for row in rows:
        if row[_AT["row"]] != ROW_CELL or row[_AT["count"]] is None or row[_AT["country"]] is None:
            continue
        rumour = row[_AT["rumour_id"]]
        if rumour is None or rumour not in keys:
            continue
        sums[(keys[rumour], row[_AT["country"]], date.fromisoformat(row[_AT["week_start"]]))] += row[_AT["count"]]
    return [PublishedCount(key, country, week, count) for (key, country, week), count in sums.items()]


def merge_sources(*sources: Iterable[PublishedCount]) -> list[PublishedCount]:
    """Counts from several deployments as one: within a source cells were summed already; where two sources give
    the same rumour, country and week (two feeds of one deployment, say), the larger stands, never their sum."""
    merged: dict[tuple[Hashable, str, date], int] = {}
    for source in sources:
        for count in source:
            at = (count.key, count.country, count.week)
            merged[at] = max(merged.get(at, 0), count.count)
    return [PublishedCount(key, country, week, count) for (key, country, week), count in merged.items()]


def published_countries(rows: Iterable[Sequence[Any]]) -> tuple[str, ...]:
    """The countries with at least one published cell in ``rows``, sorted."""
    return tuple(sorted({row[_AT["country"]] for row in rows
                         if row[_AT["row"]] == ROW_CELL and row[_AT["count"]] is not None and row[_AT["country"]]}))


@dataclass(frozen=True)
class PathStep:
    """A country on a rumour's path: the first week it was published there, and how many weeks it was."""

    country: str
    first_week: date
    weeks: int
    total: int


def rumour_path(counts: Iterable[PublishedCount]) -> list[PathStep]:
    """The countries a rumour reached, in the order it was first published in each (then by country code)."""
    by_country: dict[str, list[PublishedCount]] = defaultdict(list)
    for count in counts:
        by_country[count.country].append(count)
    steps = [PathStep(country, min(c.week for c in found), len({c.week for c in found}), sum(c.count for c in found))
             for country, found in by_country.items()]
    return sorted(steps, key=lambda s: (s.first_week, s.country))


@dataclass(frozen=True)
class RouteSpec:
    """A route as an ordered sequence of countries: where people leave from first, where they arrive last."""

    id: str
    name: str
    countries: tuple[str, ...]


def upstream(routes: Iterable[RouteSpec], home: Iterable[str]) -> dict[str, list[RouteSpec]]:
    """Each country that comes before one of ``home`` on some route -> those routes (home countries excluded)."""
    mine = set(home)
    found: dict[str, list[RouteSpec]] = defaultdict(list)
    for route in routes:
        positions = [i for i, country in enumerate(route.countries) if country in mine]
        if not positions:
            continue
        for country in route.countries[: max(positions)]:
            if country not in mine and route not in found[country]:
                found[country].append(route)
    return dict(found)


@dataclass(frozen=True)
class EarlyWarning:
    """A rumour rising in a country upstream of this deployment on a route, not yet published here."""

    key: Hashable
    country: str
    routes: tuple[RouteSpec, ...]
    week: date
    count: int
    expected: float
    change_percent: int
    p_value: float


def early_warnings(counts: Iterable[PublishedCount], routes: Iterable[RouteSpec], home: Iterable[str],
                   through: date, cfg: RisingConfig, arrived: Iterable[Hashable] = ()) -> list[EarlyWarning]:
    """Rumours rising, in their newest published week up to ``through``, in a country upstream of ``home``.

    A rise is judged as the dashboard judges one (hotline.trends.rising), on published counts only: this week's
    count at least ``cfg.min_count`` and ``cfg.min_ratio`` times the mean of the previous ``cfg.recent_weeks``
    weeks (a week with nothing published counts as nought), with a Poisson chance under ``cfg.alpha``. The newest
    week is looked at only if it is within ``cfg.recent_weeks`` of ``through``: an old rise is not a warning.
    Keys in ``arrived`` (published here already) give no warning. Biggest surprise first.
    """
    before = upstream(routes, home)
    done = set(arrived)
    series: dict[tuple[Hashable, str], dict[date, int]] = defaultdict(dict)
    for count in counts:
        if count.country in before and count.key not in done and count.week <= through:
            series[(count.key, count.country)][count.week] = count.count
    warnings = []
    for (key, country), weekly in series.items():
        newest = max(weekly)
        if newest <= through - timedelta(weeks=cfg.recent_weeks):
            continue
        this = weekly[newest]
        expected = max(sum(weekly.get(newest - timedelta(weeks=n), 0) for n in range(1, cfg.recent_weeks + 1))
                       / cfg.recent_weeks, 0.5)
        p_value = poisson_sf(this, expected)
        if this < cfg.min_count or this < cfg.min_ratio * expected or p_value >= cfg.alpha:
            continue
        warnings.append(EarlyWarning(key, country, tuple(before[country]), newest, this, round(expected, 2),
                                     round(100 * (this - expected) / expected), p_value))
    return sorted(warnings, key=lambda w: (w.p_value, -w.count, str(w.key), w.country))
