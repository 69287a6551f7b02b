"""Seasonality: sailing seasons per route (config/seasons.yaml), warnings before a season, month-of-year profiles.

Pure apart from loading the file. A season is given as MM-DD days and may run over the new year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import ContentError, load_yaml_file
from hotline.settings import CONFIG_DIR
from hotline.trends.suppression import check_k

SEASONS_FILE = CONFIG_DIR / "seasons.yaml"
_MMDD = validate.Regexp(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", error="must be a day as MM-DD, e.g. 10-15")


@dataclass(frozen=True)
class Route:
    """A sea route and its sailing season."""

    id: str
    name: str
    countries: tuple[str, ...]
    starts: tuple[int, int]
    ends: tuple[int, int]
    lead_weeks: int
    categories: tuple[str, ...]


def _mmdd(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


class _RouteSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    name = fields.String(required=True)
    countries = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")), load_default=list)
    starts = fields.String(required=True, validate=_MMDD)
    ends = fields.String(required=True, validate=_MMDD)
    lead_weeks = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0, max=26))
    categories = fields.List(fields.String(), required=True, validate=validate.Length(min=1))

    @validates_schema
    def real_days(self, data: dict[str, Any], **_: Any) -> None:
        for key in ("starts", "ends"):
            month, day = _mmdd(data[key])
            try:
                date(2024, month, day)  # a leap year: 02-29 is allowed
            except ValueError:
                raise ValidationError("is not a day of the year", key) from None


class SeasonsFileSchema(Schema):
    """Schema of config/seasons.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    default_lead_weeks = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=26))
    routes = fields.List(fields.Nested(_RouteSchema), required=True)

    @validates_schema
    def unique(self, data: dict[str, Any], **_: Any) -> None:
        ids = [route["id"] for route in data.get("routes", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("route ids must be unique", "routes")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> tuple[Route, ...]:
        lead = data["default_lead_weeks"]
        return tuple(Route(r["id"], r["name"], tuple(r["countries"]), _mmdd(r["starts"]), _mmdd(r["ends"]),
                           r["lead_weeks"] if r["lead_weeks"] is not None else lead, tuple(r["categories"]))
                     for r in data["routes"])


def load_seasons(path: Path = SEASONS_FILE, categories: Iterable[str] | None = None) -> tuple[Route, ...]:
    """Load and validate ``path``; ContentError names file, line and key (unknown categories too)."""
    routes: tuple[Route, ...] = load_yaml_file(path, SeasonsFileSchema())
    if categories is not None:
        known = set(categories)
        for route in routes:
            unknown = sorted(set(route.categories) - known)
            if unknown:
                raise ContentError(path, [f"routes.{route.id}.categories: unknown categories {', '.join(unknown)}"])
    return routes


@lru_cache(maxsize=1)
def seasons() -> tuple[Route, ...]:
    """The project's config/seasons.yaml, loaded once."""
    return load_seasons()


def _on(year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    return date(year, month, min(day, 28) if (month, day) == (2, 29) else day)


def next_season(route: Route, today: date) -> tuple[date, date]:
    """The season in progress on ``today``, or the next one: (first day, last day)."""
    for year in (today.year - 1, today.year, today.year + 1):
        start = _on(year, route.starts)
        end = _on(year + (1 if route.ends < route.starts else 0), route.ends)
        if end >= today:
            return start, end
    raise AssertionError("unreachable: a season recurs every year")


@dataclass(frozen=True)
class SeasonWarning:
    """A season that is near or under way, and which of its categories are rising."""

    route: Route
    starts_on: date
    ends_on: date
    weeks_until: int  # 0 when under way
    rising: tuple[str, ...]


def season_warnings(routes: Iterable[Route], today: date, rising_categories: Iterable[str]) -> list[SeasonWarning]:
    """Routes whose season starts within their lead time or is under way; rising route categories named."""
    rising = set(rising_categories)
    out = []
    for route in routes:
        start, end = next_season(route, today)
        if start - timedelta(weeks=route.lead_weeks) <= today <= end:
            weeks = max(0, (start - today).days // 7)
            out.append(SeasonWarning(route, start, end, weeks, tuple(c for c in route.categories if c in rising)))
    return sorted(out, key=lambda w: (-len(w.rising), w.starts_on, w.route.id))


def first_monday(year: int) -> date:
    """The first Monday of ``year``: where a month-of-year profile starts, so that it counts only whole weeks."""
    new_year = date(year, 1, 1)
    return new_year + timedelta(days=(7 - new_year.weekday()) % 7)


def month_profile(weekly: Iterable[tuple[date, int]], k: int) -> dict[int, list[int | None]]:
    """Counts by year and month of year (a week counts in the month of its Monday), suppressed: None for a month
    with any week of 1 to k-1 reports.

    The weekly totals of the same filters are published (suppressed under k) by the API and the dashboard, so a
    month is shown only when every one of its weeks is shown (0 or at least k): otherwise the month minus its
    published weeks would give the hidden week back. A month under k always has such a week, so it is hidden too.
    """
    check_k(k)
    profile: dict[int, list[int | None]] = defaultdict(lambda: [0] * 12)
    for monday, count in weekly:
        months = profile[monday.year]
        shown = months[monday.month - 1]
        months[monday.month - 1] = None if shown is None or 0 < count < k else shown + count
    return dict(sorted(profile.items()))
