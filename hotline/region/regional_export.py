"""The regional tables as exports: every deployment's published weeks (ours and peers'), and campaign
evaluations, with an HXL hashtag row. Records are built here (pure from stored rows); the writers are the trend
exports' (hotline.exports.writers), so CSV, XLSX and JSON are written, neutralised and tagged the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.exports.columns import Column
from hotline.region.evaluations import RegionalEvaluation
from hotline.region.models import RegionPeer, RegionPeerWeek, RegionPublishedWeek
from hotline.region.tables import REGION_COLUMNS

TABLES = ("weeks", "evaluations")
SOURCE = Column("deployment", "#meta+source")
WEEK_COLUMNS: tuple[Column, ...] = (SOURCE, *REGION_COLUMNS)
# Every #date column holds an ISO date, as libhxl's default schema requires; figures are #indicator ... +num.
EVALUATION_COLUMNS: tuple[Column, ...] = (
    SOURCE,
    Column("campaign_id", "#x_campaign+id"),
    Column("campaign", "#x_campaign+name"),
    Column("stage", "#meta+stage"),
    Column("countries", "#country+code+list"),
    Column("categories", "#x_feedback+category+list"),
    Column("languages", "#language+code+list"),
    Column("before_first", "#date+before+start"),
    Column("before_last", "#date+before+end"),
    Column("during_first", "#date+during+start"),
    Column("during_last", "#date+during+end"),
    Column("after_first", "#date+after+start"),
    Column("after_last", "#date+after+end"),
    Column("reports_before", "#indicator+reports+before+num", numeric=True),
    Column("reports_during", "#indicator+reports+during+num", numeric=True),
    Column("reports_after", "#indicator+reports+after+num", numeric=True),
    Column("per_week_before", "#indicator+rate+before+num", numeric=True),
    Column("per_week_during", "#indicator+rate+during+num", numeric=True),
    Column("per_week_after", "#indicator+rate+after+num", numeric=True),
    Column("change_percent", "#indicator+change+pct+num", numeric=True),
    Column("p_value", "#indicator+pvalue+num", numeric=True),
    Column("min_cell_count", "#meta+min_cell_count"),
)


def columns_of(table: str) -> tuple[Column, ...]:
    """The columns of ``table`` (one of TABLES)."""
    return WEEK_COLUMNS if table == "weeks" else EVALUATION_COLUMNS


def week_records(deployment: str, rows: Iterable[list[Any]]) -> Iterator[SimpleNamespace]:
    """A stored week's rows (REGION_COLUMNS order) as export records, named by deployment."""
    names = [c.name for c in REGION_COLUMNS]
    for row in rows:
        values = dict(zip(names, row, strict=True))
        values["week_start"] = date.fromisoformat(values["week_start"])
        yield SimpleNamespace(deployment=deployment, **values)


def _day(period: dict[str, Any] | None, key: str) -> date | None:
    return date.fromisoformat(period[key]) if period else None


def evaluation_record(row: RegionalEvaluation) -> SimpleNamespace:
    """One published evaluation as an export record."""
    item = row.item
    before, during, after = item.get("before"), item.get("during"), item.get("after")
    figures: dict[str, Any] = {}
    for name, period in (("before", before), ("during", during), ("after", after)):
        figures[f"{name}_first"], figures[f"{name}_last"] = _day(period, "first"), _day(period, "last")
        figures[f"reports_{name}"] = period.get("reports") if period else None
        figures[f"per_week_{name}"] = period.get("per_week") if period else None
    return SimpleNamespace(
        deployment=row.deployment, campaign_id=item["id"], campaign=item["name"], stage=item["stage"],
        countries=" ".join(item.get("countries", [])), categories=" ".join(item.get("target_categories", [])),
        languages=" ".join(item.get("languages", [])), change_percent=item.get("change_percent"),
        p_value=item.get("p_value"), min_cell_count=item.get("min_cell_count"), **figures)


def regional_week_records(session: Session, here: str) -> Iterator[SimpleNamespace]:
    """Our published weeks, then each peer's, each in week order."""
    for week in session.scalars(select(RegionPublishedWeek).order_by(RegionPublishedWeek.week_start)):
        yield from week_records(here, week.rows)
    stmt = (select(RegionPeer.name, RegionPeerWeek.rows).join(RegionPeer, RegionPeer.id == RegionPeerWeek.peer_id)
            .order_by(RegionPeer.name, RegionPeerWeek.week_start))
    for name, rows in session.execute(stmt):
        yield from week_records(name, rows)
