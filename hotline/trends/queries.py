"""Database side of the trends: one GROUP BY over reports, streamed week by week.

Only what staff confirmed is counted as coding: a report's type and category count once a person coded it
(``coded_by_id``); until then they are published as unconfirmed (empty). A rumour link counts only when the report
was coded by a person, the rumour is reviewed, and the link is not a mere suggestion (a match score under the
confirmed threshold stays a suggestion until someone confirms it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from hotline.intake.models import Report
from hotline.rumours.models import Rumour, RumourStatus
from hotline.trends.cells import Cell, TrendFilters

STREAM_BATCH = 5000


def confirmed_coding() -> ColumnElement[bool]:
    """True for reports whose coding a person confirmed."""
    return Report.coded_by_id.is_not(None)


def reviewed_rumour(confirmed_score: float) -> ColumnElement[Any]:
    """The rumour id when the link counts as reviewed, else NULL."""
    return case((and_(confirmed_coding(), Rumour.status == RumourStatus.REVIEWED,
                      or_(Report.rumour_match_score.is_(None), Report.rumour_match_score >= confirmed_score)),
                 Report.rumour_id), else_=None)


def _where(filters: TrendFilters) -> list[ColumnElement[bool]]:
    start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
    end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
    conditions: list[ColumnElement[bool]] = [Report.received_at >= start, Report.received_at < end]
    for name in ("country", "language", "channel", "admin1"):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(getattr(Report, name) == value)
    if filters.category is not None:
        conditions.extend([confirmed_coding(), Report.category == filters.category])
    return conditions


def cell_statement(filters: TrendFilters, confirmed_score: float) -> Any:
    """SELECT week, place, language, channel, confirmed type/category, reviewed rumour, count ... GROUP BY."""
    coded = confirmed_coding()
    type_ = case((coded, Report.type), else_=None)
    category = case((coded, Report.category), else_=None)
    rumour = reviewed_rumour(confirmed_score)
    dims = (Report.week, Report.country, Report.admin1, Report.language, Report.channel, type_, category, rumour)
    stmt = (select(*dims, func.count())
            .select_from(Report).outerjoin(Rumour, Report.rumour_id == Rumour.id)
            .where(*_where(filters)))
    if filters.rumour_id is not None:
        stmt = stmt.where(rumour == filters.rumour_id)
    # Only the week is ordered in SQL: string collations differ between databases, so cells within a week are
    # sorted in Python (hotline.trends.cells.Cell.key), which keeps output identical on SQLite and PostgreSQL.
    return stmt.group_by(*dims).order_by(Report.week)


def iter_cells(session: Session, filters: TrendFilters, confirmed_score: float) -> Iterator[Cell]:
    """Every non-empty cell in the range, week by week, streamed from the database."""
    result = session.execute(cell_statement(filters, confirmed_score),
                             execution_options={"yield_per": STREAM_BATCH})
    # Both drivers return ints for the id and the count: the row becomes a Cell as it is, without a copy per field.
    for row in result:
        yield Cell._make(row)


def iter_weeks(session: Session, filters: TrendFilters, confirmed_score: float) -> Iterator[list[Cell]]:
    """The cells grouped by week, one week in memory at a time."""
    for _week, cells in groupby(iter_cells(session, filters, confirmed_score), key=lambda cell: cell.week):
        yield list(cells)


def weekly_totals(session: Session, filters: TrendFilters) -> list[tuple[date, int]]:
    """(Monday, reports) for every week with reports in the range: the month-of-year profile's input."""
    stmt = (select(Report.week, func.count()).where(*_where(filters)).group_by(Report.week).order_by(Report.week))
    return [(week, int(count)) for week, count in session.execute(stmt)]


def reviewed_rumours(session: Session, category: str | None, limit: int, offset: int) -> list[Rumour]:
    """Reviewed, unmerged rumours, most recently seen first (candidates hold caller words: never listed)."""
    stmt = (select(Rumour).where(Rumour.status == RumourStatus.REVIEWED, Rumour.merged_into_id.is_(None))
            .order_by(Rumour.last_seen_at.desc().nulls_last(), Rumour.id).limit(limit).offset(offset))
    if category:
        stmt = stmt.where(Rumour.category == category)
    return list(session.scalars(stmt).all())
