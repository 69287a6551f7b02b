"""Campaign evaluation and channel attribution: the database side, then the pure cores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from hotline.campaigns.models import Campaign
from hotline.intake.models import Caller, Contact, Report
from hotline.trends.cells import Cell
from hotline.trends.evaluation import Evaluation, Periods, evaluate, periods, suppress_evaluation
from hotline.trends.queries import confirmed_coding
from hotline.trends.suppression import check_k, suppress_group
from hotline.trends.weeks import week_end, week_label, week_start


def _day_bounds(span: tuple[date, date]) -> tuple[datetime, datetime]:
    return (datetime.combine(span[0], time.min, tzinfo=UTC),
            datetime.combine(span[1] + timedelta(days=1), time.min, tzinfo=UTC))


def _campaign_scope(campaign: Campaign) -> list[ColumnElement[bool]]:
    scope: list[ColumnElement[bool]] = [confirmed_coding(), Report.category.in_(campaign.target_categories or [])]
    if campaign.languages:
        scope.append(Report.language.in_(campaign.languages))
    if campaign.channels:
        scope.append(Report.channel.in_(campaign.channels))
    places = [and_(Report.country == region.get("country"),
                   *([Report.admin1 == region["admin1"]] if region.get("admin1") else []))
              for region in campaign.regions or [] if region.get("country")]
    if places:
        scope.append(or_(*places))
    return scope


@dataclass(frozen=True)
class CampaignResult:
    """One campaign's evaluation."""

    campaign: Campaign
    periods: Periods
    evaluation: Evaluation


def evaluate_campaign(session: Session, campaign: Campaign, today: date, k: int) -> CampaignResult:
    """Volumes of the campaign's target categories in its regions and languages before, during and after, in
    whole ISO weeks (as every published range), counts under ``k`` suppressed with what would give them back.

    ``after`` counts only weeks that have ended: it grows a week at a time, never a day.
    """
    spans = periods(week_start(campaign.starts_on), week_end(campaign.ends_on), week_start(today) - timedelta(days=1))
    counts: dict[str, int] = {}
    for name, span in (("before", spans.before), ("during", spans.during), ("after", spans.after)):
        if span is None:
            continue
        start, end = _day_bounds(span)
        counts[name] = int(session.scalar(select(func.count(Report.id)).where(
            *_campaign_scope(campaign), Report.received_at >= start, Report.received_at < end)) or 0)
    return CampaignResult(campaign, spans, suppress_evaluation(evaluate(counts, spans), k))


def evaluate_campaigns(session: Session, today: date, k: int) -> list[CampaignResult]:
    """Every campaign that has started, most recent first, counts under ``k`` suppressed."""
    found = session.scalars(select(Campaign).where(Campaign.starts_on <= today)
                            .order_by(Campaign.starts_on.desc(), Campaign.id)).all()
    return [evaluate_campaign(session, campaign, today, k) for campaign in found]


@dataclass(frozen=True)
class AttributionRow:
    """How many new contacts in one week and country said they heard of the hotline one way (None if hidden)."""

    week: str
    country: str | None
    heard_via: str
    count: int | None


def attribution(session: Session, date_from: date, date_to: date, k: int) -> list[AttributionRow]:
    """How callers heard about the hotline, by ISO week and country, suppressed per week."""
    check_k(k)
    start, end = _day_bounds((date_from, date_to))
    rows = session.execute(
        select(Contact.started_at, Caller.country, func.coalesce(Contact.heard_via, Caller.heard_via))
        .outerjoin(Caller, Contact.caller_id == Caller.id)
        .where(Contact.started_at >= start, Contact.started_at < end,
               or_(Contact.heard_via.is_not(None), Caller.heard_via.is_not(None)))
        .execution_options(yield_per=5000))
    return shape_attribution(((started.date(), country, heard) for started, country, heard in rows), k)


def shape_attribution(rows: Iterable[tuple[date, str | None, str]], k: int) -> list[AttributionRow]:
    """Count (day, country, heard_via) rows by ISO week and country, then suppress each week (pure)."""
    counts: Counter[tuple[date, str | None, str]] = Counter()
    for day, country, heard in rows:
        counts[(week_start(day), country, heard)] += 1
    by_week: dict[date, list[Cell]] = {}
    for (monday, country, heard), n in counts.items():
        # A Cell carries the answer in its channel slot: suppression only needs counts and a stable order.
        by_week.setdefault(monday, []).append(Cell(monday, country, None, None, heard, None, None, None, n))
    out: list[AttributionRow] = []
    for monday in sorted(by_week):
        out.extend(AttributionRow(week_label(monday), p.cell.country, p.cell.channel or "", p.count)
                   for p in suppress_group(by_week[monday], k).cells)
    return out
