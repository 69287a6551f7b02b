"""Reading the audit trail: events filtered by date range, actor and record, newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent

PER_PAGE = 50
MAX_PAGE = 400


@dataclass(frozen=True)
class AuditFilter:
    """What a supervisor asked for; None means "any"."""

    since: date | None = None  # from this day (UTC), inclusive
    until: date | None = None  # to this day (UTC), inclusive
    actor_user_id: int | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditPage:
    """One page of events, with whether another page follows."""

    events: Sequence[AuditEvent]
    page: int
    more: bool


def search_events(session: Session, wanted: AuditFilter, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """Events matching ``wanted``, newest first (by id: the order they were written), page ``page`` (1-based)."""
    page = min(MAX_PAGE, max(1, page))
    query = select(AuditEvent)
    if wanted.since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(wanted.since, time.min, UTC))
    if wanted.until is not None:
        query = query.where(AuditEvent.at < datetime.combine(wanted.until + timedelta(days=1), time.min, UTC))
    if wanted.actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == wanted.actor_user_id)
    if wanted.entity_type:
        query = query.where(AuditEvent.entity_type == wanted.entity_type)
    if wanted.entity_id is not None:
        query = query.where(AuditEvent.entity_id == wanted.entity_id)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    events = list(session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(per_page + 1).offset((page - 1) * per_page)))
    return AuditPage(events[:per_page], page, len(events) > per_page)
