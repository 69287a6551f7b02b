"""The operator queue: filters (parsed from a query string), ordering, one page of rows, counts, claim/release.

Order: urgent and protection-flagged first, then oldest. Claiming is one conditional UPDATE (``WHERE assignee_id IS
NULL``), so two operators can never hold the same report: the database decides, not the page they saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import ColumnElement, Select, case, func, select, update
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.intake.constants import Channel, ReportStatus, Sensitivity, Urgency
from hotline.intake.models import Report
from hotline.triage.access import may_open

OPEN_STATUSES = (ReportStatus.NEW, ReportStatus.CLAIMED, ReportStatus.ESCALATED)
PAGE_SIZES = (10, 25, 50, 100)
MAX_PAGE = 200  # OFFSET beyond 200 pages is slow and nobody reads that far: filter instead
SNIPPET_CHARS = 160
ALL = "all"


@dataclass(frozen=True)
class QueueFilter:
    """What the operator asked to see; empty tuples and None mean "any"."""

    statuses: tuple[str, ...] = tuple(OPEN_STATUSES)
    languages: tuple[str, ...] = ()
    channel: str | None = None
    type: str | None = None
    category: str | None = None
    urgency: str | None = None
    max_age_hours: int | None = None
    mine: bool = False
    page: int = 1
    per_page: int = 25


class QueueArgsSchema(Schema):
    """The queue's query string: ``status``, ``lang`` (``all`` for every language), ``channel``, ``type``…"""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(load_default=None, validate=validate.OneOf([*ReportStatus, "open", ALL]))
    lang = fields.String(load_default=None, validate=validate.Regexp(r"^([a-z]{2,3}|all)$"))
    channel = fields.String(load_default=None, validate=validate.OneOf(list(Channel)))
    type = fields.String(load_default=None, validate=validate.Length(max=32))
    category = fields.String(load_default=None, validate=validate.Length(max=32))
    urgency = fields.String(load_default=None, validate=validate.OneOf(list(Urgency)))
    age = fields.Integer(load_default=None, validate=validate.Range(min=1, max=24 * 365))
    mine = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.OneOf(PAGE_SIZES))


def parse_filter(args: Mapping[str, object], operator_languages: Sequence[str]) -> QueueFilter:
    """A QueueFilter from cleaned query arguments; the language defaults to the operator's own languages."""
    clean = QueueArgsSchema().load({key: value for key, value in args.items() if value not in ("", None)})
    status = clean["status"]
    statuses: tuple[str, ...] = tuple(OPEN_STATUSES) if status in (None, "open") else \
        () if status == ALL else (status,)
    lang = clean["lang"]
    languages: tuple[str, ...] = tuple(operator_languages) if lang is None else () if lang == ALL else (lang,)
    return QueueFilter(statuses=statuses, languages=languages, channel=clean["channel"], type=clean["type"],
                       category=clean["category"], urgency=clean["urgency"], max_age_hours=clean["age"],
                       mine=clean["mine"], page=clean["page"], per_page=clean["per_page"])


def snippet(text: str | None, limit: int = SNIPPET_CHARS) -> str:
    """The start of a caller's text for a queue row (whitespace collapsed); the template escapes it."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


# Protection-flagged reports rank with the most urgent ones.
PRIORITY = case((Report.sensitivity == Sensitivity.PROTECTION, 0), else_=Report.urgency_rank)


def _where(query: Select[Any], wanted: QueueFilter, user_id: int | None, now: datetime,
           scope: ColumnElement[bool] | None = None) -> Select[Any]:
    criteria: list[ColumnElement[bool]] = [] if scope is None else [scope]
    if wanted.statuses:
        criteria.append(Report.status.in_(wanted.statuses))
    if wanted.languages:
        criteria.append(Report.language.in_(wanted.languages))
    for column, value in ((Report.channel, wanted.channel), (Report.type, wanted.type),
                          (Report.category, wanted.category), (Report.urgency, wanted.urgency)):
        if value is not None:
            criteria.append(column == value)
    if wanted.max_age_hours is not None:
        criteria.append(Report.received_at >= now - timedelta(hours=wanted.max_age_hours))
    if wanted.mine and user_id is not None:
        criteria.append(Report.assignee_id == user_id)
    return query.where(*criteria)


def queue_query(wanted: QueueFilter, user_id: int | None, now: datetime,
                scope: ColumnElement[bool] | None = None) -> Select[tuple[int]]:
    """The bare query behind a queue page: the ids of one page of reports, in queue order (within ``scope``)."""
    query = _where(select(Report.id), wanted, user_id, now, scope)
    return (query.order_by(PRIORITY, Report.received_at, Report.id)
            .limit(wanted.per_page).offset((wanted.page - 1) * wanted.per_page))


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue, read in the same query as the page (no lazy loads)."""

    id: int
    channel: str
    language: str | None
    type: str | None
    category: str | None
    urgency: str
    sensitivity: str
    status: str
    received_at: datetime
    snippet: str
    has_recording: bool
    assignee: str | None
    assignee_id: int | None


@dataclass(frozen=True)
class QueuePage:
    """A page of rows with the total that matched and the open counts by status."""

    rows: list[QueueRow]
    total: int
    by_status: dict[str, int] = field(default_factory=dict)

    def pages(self, per_page: int) -> int:
        """How many pages the total fills (capped at MAX_PAGE)."""
        return max(1, min(MAX_PAGE, -(-self.total // per_page)))


def load_queue(session: Session, wanted: QueueFilter, user_id: int | None, now: datetime,
               scope: ColumnElement[bool] | None = None) -> QueuePage:
    """One page of the queue in three statements, whatever the page size: rows, total, counts by status.

    ``scope`` limits it to the reports the user may open (hotline.triage.access.openable_by)."""
    ids = queue_query(wanted, user_id, now, scope).subquery()
    rows = session.execute(
        select(Report.id, Report.channel, Report.language, Report.type, Report.category, Report.urgency,
               Report.sensitivity, Report.status, Report.received_at, func.substr(Report.text, 1, SNIPPET_CHARS * 2),
               Report.recording_id, func.coalesce(User.display_name, User.email), Report.assignee_id)
        .join(ids, ids.c.id == Report.id)
        .outerjoin(User, User.id == Report.assignee_id)
        .order_by(PRIORITY, Report.received_at, Report.id)
    ).all()
    total = session.scalar(_where(select(func.count(Report.id)), wanted, user_id, now, scope)) or 0
    any_status = dataclasses.replace(wanted, statuses=())
    counted = cast("Select[Any]", select(Report.status, func.count(Report.id)))
    by_status: dict[str, int] = {row[0]: row[1] for row in session.execute(
        _where(counted, any_status, user_id, now, scope).group_by(Report.status))}
    return QueuePage(
        rows=[QueueRow(id=r[0], channel=r[1], language=r[2], type=r[3], category=r[4], urgency=r[5],
                       sensitivity=r[6], status=r[7], received_at=r[8], snippet=snippet(r[9]),
                       has_recording=r[10] is not None, assignee=r[11], assignee_id=r[12]) for r in rows],
        total=total, by_status=by_status,
    )


class ClaimRefused(Exception):
    """Someone else holds the report (or it is no longer open)."""


class ReportHidden(LookupError):
    """No such report, or not one this user may open (hotline.triage.access): answered as not found."""


def claim(session: Session, report_id: int, user: User, now: datetime) -> None:
    """Take an open, unassigned report; raises ClaimRefused when another operator was first, ReportHidden when
    the user may not open it (claiming would otherwise make it theirs to read)."""
    seen = session.execute(select(Report.language, Report.sensitivity, Report.assignee_id)
                           .where(Report.id == report_id)).first()
    if seen is None or not may_open(user, seen[0], seen[1], seen[2]):
        raise ReportHidden(report_id)
    result = session.execute(
        update(Report)
        .where(Report.id == report_id, Report.assignee_id.is_(None), Report.status.in_(OPEN_STATUSES))
        .values(assignee_id=user.id, claimed_at=now, updated_at=now,
                status=case((Report.status == ReportStatus.NEW, ReportStatus.CLAIMED.value), else_=Report.status))
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ClaimRefused(report_id)
    record_event(session, f"user:{user.id}", "report.claim", "report", report_id,
                 before={"assignee_id": None}, after={"assignee_id": user.id}, actor_user_id=user.id)
    session.flush()


def release(session: Session, report_id: int, user: User, now: datetime, *, override: bool = False) -> None:
    """Give a report back to the queue; only its holder may (or a supervisor, with ``override``)."""
    holder = Report.assignee_id.is_not(None) if override else Report.assignee_id == user.id
    previous = session.scalar(select(Report.assignee_id).where(Report.id == report_id))
    result = session.execute(
        update(Report).where(Report.id == report_id, holder)
        .values(assignee_id=None, claimed_at=None, updated_at=now,
                status=case((Report.status == ReportStatus.CLAIMED, ReportStatus.NEW.value), else_=Report.status))
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ClaimRefused(report_id)
    record_event(session, f"user:{user.id}", "report.release", "report", report_id,
                 before={"assignee_id": previous}, after={"assignee_id": None}, actor_user_id=user.id)
    session.flush()
