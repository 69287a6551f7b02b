"""The operator queue: filters (parsed from a query string), ordering, one page of rows, counts, claim/release.

Order: urgent and protection-flagged first, then oldest. Claiming is one conditional UPDATE (``WHERE assignee_id IS
NULL``), so two operators can never hold the same report: the database decides, not the page they saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import ColumnElement, Select, case, func, select, update
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.intake.constants import Channel, ReportStatus, Sensitivity, Urgency
from hotline.intake.models import Report
from hotline.triage.access import may_open, openable_by

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
    min_age_hours: int | None = None
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
    older = fields.Integer(load_default=None, validate=validate.Range(min=1, max=24 * 365))
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
                       min_age_hours=clean["older"], mine=clean["mine"], page=clean["page"], per_page=clean["per_page"])


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
    if wanted.min_age_hours is not None:
        criteria.append(Report.received_at < now - timedelta(hours=wanted.min_age_hours))
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

    def waited_minutes(self, now: datetime) -> int:
        """Whole minutes since the report came in (never negative)."""
        return waited_minutes(self.received_at, now)

    def overdue(self, now: datetime, limit: timedelta) -> bool:
        """Unclaimed, immediate or protection-flagged, and waiting longer than ``limit``: shown in red."""
        return is_overdue(self.assignee_id, self.urgency, self.sensitivity, self.received_at, now, limit)

    @property
    def watched(self) -> bool:
        """A report that turns red when nobody claims it in time (the page re-checks it as the clock moves)."""
        return self.assignee_id is None and _pressing(self.urgency, self.sensitivity)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def waited_minutes(received_at: datetime, now: datetime) -> int:
    """Whole minutes between ``received_at`` and ``now`` (naive datetimes are UTC), at least 0."""
    return max(0, int((_aware(now) - _aware(received_at)).total_seconds() // 60))


def _pressing(urgency: str, sensitivity: str) -> bool:
    return urgency == Urgency.IMMEDIATE or sensitivity == Sensitivity.PROTECTION


def is_overdue(assignee_id: int | None, urgency: str, sensitivity: str, received_at: datetime, now: datetime,
               limit: timedelta) -> bool:
    """True for an unclaimed immediate or protection report that has waited at least ``limit``."""
    return assignee_id is None and _pressing(urgency, sensitivity) and \
        _aware(now) - _aware(received_at) >= limit


@dataclass(frozen=True)
class QueuePage:
    """A page of rows with the total that matched, the counts by status and the newest matching report's id."""

    rows: list[QueueRow]
    total: int
    by_status: dict[str, int] = field(default_factory=dict)
    latest_id: int = 0

    def pages(self, per_page: int) -> int:
        """How many pages the total fills (capped at MAX_PAGE)."""
        return max(1, min(MAX_PAGE, -(-self.total // per_page)))


def _rows(session: Session, ids: Any) -> list[QueueRow]:
    rows = session.execute(
        select(Report.id, Report.channel, Report.language, Report.type, Report.category, Report.urgency,
               Report.sensitivity, Report.status, Report.received_at, func.substr(Report.text, 1, SNIPPET_CHARS * 2),
               Report.recording_id, func.coalesce(User.display_name, User.email), Report.assignee_id)
        .join(ids, ids.c.id == Report.id)
        .outerjoin(User, User.id == Report.assignee_id)
        .order_by(PRIORITY, Report.received_at, Report.id)
    ).all()
    return [QueueRow(id=r[0], channel=r[1], language=r[2], type=r[3], category=r[4], urgency=r[5],
                     sensitivity=r[6], status=r[7], received_at=r[8], snippet=snippet(r[9]),
                     has_recording=r[10] is not None, assignee=r[11], assignee_id=r[12]) for r in rows]


def _counts(session: Session, wanted: QueueFilter, user_id: int | None, now: datetime,
            scope: ColumnElement[bool] | None) -> tuple[int, dict[str, int], int]:
    counted_all = cast("Select[Any]", select(func.count(Report.id), func.max(Report.id)))
    total, latest = session.execute(_where(counted_all, wanted, user_id, now, scope)).one()
    any_status = dataclasses.replace(wanted, statuses=())
    counted = cast("Select[Any]", select(Report.status, func.count(Report.id)))
    by_status: dict[str, int] = {row[0]: row[1] for row in session.execute(
        _where(counted, any_status, user_id, now, scope).group_by(Report.status))}
    return total or 0, by_status, latest or 0


def load_queue(session: Session, wanted: QueueFilter, user_id: int | None, now: datetime,
               scope: ColumnElement[bool] | None = None) -> QueuePage:
    """One page of the queue in three statements, whatever the page size: rows, total (and newest id), counts.

    ``scope`` limits it to the reports the user may open (hotline.triage.access.openable_by)."""
    rows = _rows(session, queue_query(wanted, user_id, now, scope).subquery())
    total, by_status, latest = _counts(session, wanted, user_id, now, scope)
    return QueuePage(rows=rows, total=total, by_status=by_status, latest_id=latest)


NEW_ROWS_LIMIT = 50  # one poll carries at most this many new rows; the banner still counts them all


def load_new(session: Session, wanted: QueueFilter, user_id: int | None, now: datetime, after_id: int,
             scope: ColumnElement[bool] | None = None) -> tuple[QueuePage, int]:
    """What came in since the page last looked: matching reports with an id above ``after_id`` (at most
    NEW_ROWS_LIMIT rows, in queue order), the filter's fresh counts, and how many new reports there are in all."""
    newer = _where(select(Report.id), wanted, user_id, now, scope).where(Report.id > after_id)
    fresh = session.scalar(select(func.count()).select_from(newer.subquery())) or 0
    ids = newer.order_by(PRIORITY, Report.received_at, Report.id).limit(NEW_ROWS_LIMIT).subquery()
    rows = _rows(session, ids) if fresh else []
    total, by_status, latest = _counts(session, wanted, user_id, now, scope)
    return QueuePage(rows=rows, total=total, by_status=by_status, latest_id=max(latest, after_id)), fresh


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


def next_report(session: Session, user: User, now: datetime, skip: int | None = None) -> int | None:
    """The report an operator should take next: the first open, unclaimed one in their languages, in queue order
    (urgent and protection first, then oldest), among those they may open; None when there is none."""
    wanted = QueueFilter(statuses=(ReportStatus.NEW,), languages=tuple(user.languages or ()), per_page=1)
    query = _where(select(Report.id), wanted, user.id, now, openable_by(user)).where(Report.assignee_id.is_(None))
    if skip is not None:
        query = query.where(Report.id != skip)
    found: int | None = session.scalar(query.order_by(PRIORITY, Report.received_at, Report.id).limit(1))
    return found


def assignable_staff(session: Session, language: str | None, sensitivity: str | None) -> list[User]:
    """Active case workers who may open a report of this language and sensitivity (a supervisor's choice list)."""
    staff = session.scalars(select(User).where(User.active.is_(True), User.role.in_(("operator", "supervisor")))
                            .order_by(User.display_name, User.email)).all()
    return [user for user in staff if may_open(user, language, sensitivity, None)]


def reassign(session: Session, report_id: int, to_user_id: int, by: User, now: datetime) -> None:
    """A supervisor hands an open report to another case worker (who must be able to open it); audited.

    ClaimRefused when ``by`` is no supervisor, the report is not open, or the new holder may not take it."""
    if by.role not in ("supervisor", "admin"):
        raise ClaimRefused(report_id)
    seen = session.execute(select(Report.language, Report.sensitivity, Report.assignee_id)
                           .where(Report.id == report_id)).first()
    if seen is None:
        raise ReportHidden(report_id)
    if to_user_id not in {user.id for user in assignable_staff(session, seen[0], seen[1])}:
        raise ClaimRefused(report_id)
    result = session.execute(
        update(Report).where(Report.id == report_id, Report.status.in_(OPEN_STATUSES))
        .values(assignee_id=to_user_id, claimed_at=now, updated_at=now,
                status=case((Report.status == ReportStatus.NEW, ReportStatus.CLAIMED.value), else_=Report.status))
        .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ClaimRefused(report_id)
    record_event(session, f"user:{by.id}", "report.reassign", "report", report_id,
                 before={"assignee_id": seen[2]}, after={"assignee_id": to_user_id}, actor_user_id=by.id)
    session.flush()
