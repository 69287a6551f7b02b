"""What goes in a weekly digest page (the database side, then pure shaping)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.campaigns.models import Campaign
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.models import Rumour
from hotline.trends.cells import Cell, TrendFilters
from hotline.trends.config import confirmed_match_score, trends_config
from hotline.trends.queries import iter_cells
from hotline.trends.regional import RegionalNews
from hotline.trends.rising import YEAR, Rise, find_rises
from hotline.trends.series import Series, weekly_series
from hotline.trends.suppression import suppress_value
from hotline.trends.weeks import week_label

TOP = 5


@dataclass(frozen=True)
class DigestPage:
    """One region (country) and language for one ISO week; counts under k already hidden (None)."""

    week: str
    monday: date
    country: str
    language: str
    total: int | None
    top_rumours: list[tuple[str, int | None]] = field(default_factory=list)
    rising: list[tuple[str, Rise]] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    counter_messages: list[tuple[str, str]] = field(default_factory=list)
    regional: RegionalNews | None = None  # rumours' paths across peer countries, early warnings


def build_pages(session: Session, monday: date,
                regional: Callable[[str], RegionalNews | None] | None = None) -> list[DigestPage]:
    """A page for every country and language with confirmed reports in the week of ``monday``; ``regional`` gives
    a page language's cross-border news (worded where gettext has a locale: the caller's request context)."""
    cfg = trends_config()
    history_start = monday - YEAR - timedelta(weeks=cfg.rising.recent_weeks + 2)
    cells = list(iter_cells(session, TrendFilters(history_start, monday + timedelta(days=6)),
                            confirmed_match_score()))
    this_week = [c for c in cells if c.week == monday and c.country and c.language and c.type]
    pairs = sorted({(c.country or "", c.language or "") for c in this_week})
    rumours = session.execute(select(Rumour.id, Rumour.canonical_statement, Rumour.statement_translations)).all()
    pages = []
    for country, language in pairs:
        # The staff-written statement, in the page's language when a translation exists.
        statements = {rid: (translations or {}).get(language) or text for rid, text, translations in rumours}
        mine = [c for c in cells if c.country == country and c.language == language]
        page = _page(session, monday, country, language, mine, statements, cfg.min_cell_count, history_start)
        pages.append(replace(page, regional=regional(language)) if regional is not None else page)
    return pages


def _page(session: Session, monday: date, country: str, language: str, cells: list[Cell],
          statements: dict[int, str], k: int, history_start: date) -> DigestPage:
    week_cells = [c for c in cells if c.week == monday]
    by_rumour: Counter[int] = Counter()
    for cell in week_cells:
        if cell.rumour_id is not None:
            by_rumour[cell.rumour_id] += cell.count
    top = [(statements.get(rid, f"#{rid}"), suppress_value(n, k)) for rid, n in by_rumour.most_common(TOP)]
    rising_cfg = replace(trends_config().rising, min_count=max(trends_config().rising.min_count, k))
    rises = find_rises(cells, lambda c: c.rumour_id, monday, rising_cfg, history_start)
    rising = [(statements.get(int(str(r.key)), f"#{r.key}"), r) for r in rises[:TOP]]
    campaigns = [c.name for c in session.scalars(select(Campaign).where(
        Campaign.starts_on <= monday + timedelta(days=6), Campaign.ends_on >= monday)).all()
        if (not c.languages or language in c.languages)
        and (not c.regions or any(r.get("country") == country for r in c.regions))]
    messages = [(m.title, m.body) for m in approved_counter_messages(session, language, monday)][:TOP]
    return DigestPage(week_label(monday), monday, country, language,
                      suppress_value(sum(c.count for c in week_cells), k), top, rising, campaigns, messages)


REGION_WEEKS = 8


@dataclass(frozen=True)
class DigestRegion:
    """One region's document for one ISO week: a region is a country, as the hotline numbers are configured
    (config/hotlines.yaml: one number, time zone and language menu per country); its language pages, and its
    weekly counts by category over the last ``REGION_WEEKS`` weeks, suppressed as the dashboard's lines are."""

    country: str
    week: str
    monday: date
    pages: list[DigestPage]
    series: Series


def build_regions(session: Session, monday: date, pages: list[DigestPage] | None = None) -> list[DigestRegion]:
    """A document for every country with a digest page in the week of ``monday``, its pages in language order."""
    pages = build_pages(session, monday) if pages is None else pages
    k = trends_config().min_cell_count
    weeks = [monday - timedelta(weeks=n) for n in range(REGION_WEEKS - 1, -1, -1)]
    regions = []
    for country in sorted({page.country for page in pages}):
        cells = iter_cells(session, TrendFilters(weeks[0], monday + timedelta(days=6), country=country),
                           confirmed_match_score())
        regions.append(DigestRegion(country, week_label(monday), monday,
                                    [p for p in pages if p.country == country],
                                    weekly_series(cells, "category", weeks, k)))
    return regions
