"""Campaign evaluations in the regional feed: counted from the published weekly tables, tested as the trends
API's are, published once per stage.

The counts are sums of the cells that the frozen weekly tables (hotline.region.publish) already publish, in the
campaign's target categories, languages and countries: an evaluation adds nothing to what the tables say, so its
before/during/after totals cannot be set against the tables to give back a suppressed cell (a count of reports
straight from the database could: the category's total for two weeks, less the visible cells, is the hidden one).
They are therefore a lower bound (suppressed cells are left out, and the tables know no admin1 or channel). The
change and its p-value are hotline.trends.evaluation's, and counts under k are hidden again with what gives them
back (suppress_evaluation). A campaign is published when its last week has closed (stage "ended") and again when
the weeks after it have (stage "complete", before and during as first published); each stage is stored once.
The pure parts (``scope_counts``, ``evaluation_item``, ``check_item``) are unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.campaigns.models import Campaign
from hotline.region.document import FeedRefused
from hotline.region.library_models import RegionPeerEvaluation, RegionPublishedEvaluation
from hotline.region.models import RegionPeer, RegionPublishedWeek
from hotline.region.tables import REGION_COLUMNS, ROW_CELL
from hotline.trends.evaluation import Evaluation, Periods, evaluate, periods, suppress_evaluation
from hotline.trends.suppression import MIN_K, check_k
from hotline.trends.weeks import week_end, week_start

ENDED, COMPLETE = "ended", "complete"
STAGES = (ENDED, COMPLETE)


def _period(span: tuple[date, date] | None, reports: int | None, per_week: float | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"first": span[0].isoformat(), "last": span[1].isoformat(), "reports": reports, "per_week": per_week}


def evaluation_item(campaign: Campaign, spans: Periods, result: Evaluation, stage: str, k: int) -> dict[str, Any]:
    """A campaign's published evaluation: what the campaign targeted, and suppressed figures only."""
    return {
        "id": campaign.id, "stage": stage, "name": campaign.name,
        "target_categories": sorted(campaign.target_categories or []),
        "languages": sorted(campaign.languages or []),
        "countries": sorted({str(r["country"]) for r in campaign.regions or [] if r.get("country")}),
        "before": _period(spans.before, result.before, result.rate_before),
        "during": _period(spans.during, result.during, result.rate_during),
        "after": _period(spans.after, result.after, result.rate_after),
        "change_percent": result.change_percent, "p_value": result.p_value, "min_cell_count": k,
    }


def complete_item(ended: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """The complete stage: the before and during figures (and their test) exactly as first published, with the
    after figures of ``fresh``; a recount of before or during is never shown beside the first count."""
    return {**ended, "stage": COMPLETE, "after": fresh["after"]}


def due_stage(campaign: Campaign, through: date) -> str | None:
    """The latest stage whose weeks have all closed by ``through`` (the Sunday of the newest closed week; None
    while the campaign's own weeks have not all closed)."""
    first, last = week_start(campaign.starts_on), week_end(campaign.ends_on)
    if last > through:
        return None
    length = (last - first).days + 1
    return COMPLETE if last + timedelta(days=length) <= through else ENDED


_AT = {c.name: i for i, c in enumerate(REGION_COLUMNS)}


def campaign_periods(campaign: Campaign, stage: str, through: date) -> Periods:
    """Whole ISO weeks before, during and (complete stage) after the campaign, as the trends evaluation takes."""
    last = week_end(campaign.ends_on)
    return periods(week_start(campaign.starts_on), last, last if stage == ENDED else through)


def _mondays(span: tuple[date, date]) -> list[date]:
    return [span[0] + timedelta(weeks=n) for n in range((span[1] - span[0]).days // 7 + 1)]


def scope_counts(weeks: dict[date, list[list[Any]]], campaign: Campaign, spans: Periods) -> dict[str, int] | None:
    """Reports per period from the published weekly rows (visible cells only) in the campaign's categories,
    languages and countries; None when a week of a period was never published (nothing to count it from)."""
    categories = set(campaign.target_categories or [])
    languages = set(campaign.languages or [])
    countries = {str(r["country"]) for r in campaign.regions or [] if r.get("country")}
    counts: dict[str, int] = {}
    for name, span in (("before", spans.before), ("during", spans.during), ("after", spans.after)):
        if span is None:
            continue
        total = 0
        for monday in _mondays(span):
            if monday not in weeks:
                return None
            for row in weeks[monday]:
                count = row[_AT["count"]]
                if row[_AT["row"]] != ROW_CELL or count is None or row[_AT["category"]] not in categories:
                    continue
                if (languages and row[_AT["language"]] not in languages) or \
                        (countries and row[_AT["country"]] not in countries):
                    continue
                total += count
        counts[name] = total
    return counts


def freeze_evaluations(session: Session, through: date, k: int) -> int:
    """Store each campaign's stage that is due by ``through`` (a Sunday: the newest closed week's) once; returns
    how many were stored."""
    check_k(k)
    stored = 0
    published = {(e.campaign_id, e.stage): e for e in session.scalars(select(RegionPublishedEvaluation))}
    weeks: dict[date, list[list[Any]]] | None = None
    for campaign in session.scalars(select(Campaign).order_by(Campaign.id)):
        stage = due_stage(campaign, through)
        if stage is None or (campaign.id, stage) in published:
            continue
        if weeks is None:
            weeks = {w.week_start: w.rows for w in session.scalars(select(RegionPublishedWeek))}
        spans = campaign_periods(campaign, stage, through)
        counts = scope_counts(weeks, campaign, spans)
        if counts is None:
            continue  # its weeks are older than the first published one: it is never published
        item = evaluation_item(campaign, spans, suppress_evaluation(evaluate(counts, spans), k), stage, k)
        ended = published.get((campaign.id, ENDED))
        if stage == COMPLETE and ended is not None:
            item = complete_item(ended.item, item)
        try:
            with session.begin_nested():  # another worker may be freezing it too: theirs stands
                session.add(RegionPublishedEvaluation(campaign_id=campaign.id, stage=stage, item=item))
        except IntegrityError:
            continue
        stored += 1
    return stored


def published_evaluations(session: Session) -> list[dict[str, Any]]:
    """Each campaign's latest published stage, for the feed."""
    latest: dict[int, dict[str, Any]] = {}
    rows = session.scalars(select(RegionPublishedEvaluation).order_by(RegionPublishedEvaluation.campaign_id))
    for row in rows:
        if row.campaign_id not in latest or row.stage == COMPLETE:
            latest[row.campaign_id] = row.item
    return [latest[campaign_id] for campaign_id in sorted(latest)]


class _PeriodSchema(Schema):
    first = fields.Date(required=True)
    last = fields.Date(required=True)
    reports = fields.Integer(required=True, allow_none=True, strict=True)
    per_week = fields.Float(required=True, allow_none=True)


class PeerEvaluationSchema(Schema):
    """A campaign evaluation as a peer's feed carries it."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    target_categories = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list)
    languages = fields.List(fields.String(validate=validate.Length(max=8)), load_default=list)
    countries = fields.List(fields.String(validate=validate.Length(max=8)), load_default=list)
    before = fields.Nested(_PeriodSchema, required=True)
    during = fields.Nested(_PeriodSchema, required=True)
    after = fields.Nested(_PeriodSchema, load_default=None, allow_none=True)
    change_percent = fields.Integer(load_default=None, allow_none=True)
    p_value = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1))
    min_cell_count = fields.Integer(required=True, strict=True)


def check_items(raw: Any) -> list[dict[str, Any]]:
    """A feed's evaluations as they are stored (JSON, as sent); FeedRefused if malformed or a count is under its
    threshold. A feed without the field (an older peer) has none."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise FeedRefused("the feed's evaluations are not a list")
    try:
        loaded = PeerEvaluationSchema().load(raw, many=True)
    except ValidationError as exc:
        raise FeedRefused(f"the feed's evaluations are malformed: {exc.messages}") from None
    for item in loaded:
        check_item(item)
    # Stored as the peer signed it (ISO dates as text), known fields only, once every item has passed.
    known = set(PeerEvaluationSchema().fields)
    return [{key: value for key, value in item.items() if key in known} for item in raw]


def check_item(item: dict[str, Any]) -> None:
    """FeedRefused when a loaded evaluation publishes a count under its threshold (or a threshold under MIN_K)."""
    k = item["min_cell_count"]
    if k < MIN_K:
        raise FeedRefused(f"campaign {item['id']} was suppressed with a threshold {k} under {MIN_K}")
    for name in ("before", "during", "after"):
        period = item.get(name)
        count = period["reports"] if period else None
        if count is not None and 0 < count < k:
            raise FeedRefused(f"campaign {item['id']} publishes a count under its threshold {k}: refused")


def store_peer_evaluations(session: Session, peer: RegionPeer, items: list[dict[str, Any]]) -> int:
    """Replace ``peer``'s evaluations with those of its latest feed."""
    existing = {e.remote_id: e for e in session.scalars(select(RegionPeerEvaluation)
                                                         .where(RegionPeerEvaluation.peer_id == peer.id))}
    seen = set()
    for item in items:
        seen.add(item["id"])
        row = existing.get(item["id"]) or RegionPeerEvaluation(peer_id=peer.id, remote_id=item["id"])
        row.stage, row.item = item["stage"], item
        session.add(row)
    for remote_id, row in existing.items():
        if remote_id not in seen:
            session.delete(row)
    return len(items)


@dataclass(frozen=True)
class RegionalEvaluation:
    """One row of the regional view: whose campaign, and its published item."""

    deployment: str
    item: dict[str, Any]


def regional_evaluations(session: Session, here: str) -> list[RegionalEvaluation]:
    """Ours (as published, named ``here``) and every peer's, by deployment then campaign start."""
    rows = [RegionalEvaluation(here, item) for item in published_evaluations(session)]
    stmt = (select(RegionPeer.name, RegionPeerEvaluation.item)
            .join(RegionPeer, RegionPeer.id == RegionPeerEvaluation.peer_id)
            .order_by(RegionPeer.name, RegionPeerEvaluation.remote_id))
    rows.extend(RegionalEvaluation(name, item) for name, item in session.execute(stmt))
    return rows
