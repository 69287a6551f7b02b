"""The publishing side: freeze closed weeks once, then build this deployment's feed document from them.

A week is closed ``CLOSE_AFTER_DAYS`` after its Sunday (time for operators to confirm the coding). It is then
counted, suppressed and stored once; every feed after that serves the stored rows, never a recount, so successive
feeds cannot be subtracted from each other to give back a hidden cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.intake.models import Report
from hotline.region.adoption import published_adoptions
from hotline.region.document import FORMAT, digest, sign
from hotline.region.evaluations import freeze_evaluations, published_evaluations
from hotline.region.models import RegionPublishedWeek
from hotline.region.tables import REGION_COLUMNS, week_rows
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from hotline.trends.cells import TrendFilters
from hotline.trends.queries import iter_cells
from hotline.trends.suppression import check_k
from hotline.trends.weeks import week_label, week_start

CLOSE_AFTER_DAYS = 7
MAX_WEEKS = 52  # weeks per document; a subscriber that is further behind pulls again (``more``)
FIRST_WEEKS_BACK = 104  # how far back a first publication goes


@dataclass(frozen=True)
class FeedRequest:
    """What a subscriber asked for: weeks after ``since`` (a Monday, or None from the start), echoing ``nonce``."""

    nonce: str
    since: date | None


def last_closed_week(today: date) -> date:
    """The Monday of the newest week that may be published on ``today``."""
    return week_start(today - timedelta(days=CLOSE_AFTER_DAYS)) - timedelta(days=7)


def freeze_weeks(session: Session, today: date, k: int, confirmed_score: float) -> int:
    """Count, suppress and store every closed week not yet published; returns how many were stored."""
    check_k(k)
    through = last_closed_week(today)
    newest = session.scalar(select(func.max(RegionPublishedWeek.week_start)))
    if newest is not None:
        first = newest + timedelta(days=7)
    else:
        oldest = session.scalar(select(func.min(Report.week)))
        first = max(oldest or through, through - timedelta(weeks=FIRST_WEEKS_BACK))
    stored = 0
    monday = first
    while monday <= through:
        stored += _freeze(session, monday, k, confirmed_score)
        monday += timedelta(days=7)
    return stored


def _freeze(session: Session, monday: date, k: int, confirmed_score: float) -> int:
    filters = TrendFilters(monday, monday + timedelta(days=6))
    rows = week_rows(monday, iter_cells(session, filters, confirmed_score), k)
    try:
        with session.begin_nested():  # another worker may be freezing the same week: theirs stands
            session.add(RegionPublishedWeek(week_start=monday, rows=rows, digest=_rows_digest(monday, rows), k=k))
    except IntegrityError:
        return 0
    return 1


def _rows_digest(monday: date, rows: list[list[Any]]) -> str:
    return digest({"week_start": monday.isoformat(), "rows": rows})


def build_document(session: Session, request: FeedRequest, now: datetime, k: int) -> dict[str, Any]:
    """The feed document (unsigned) for ``request``, from the frozen weeks, reviewed rumours and shared messages."""
    stmt = select(RegionPublishedWeek).order_by(RegionPublishedWeek.week_start).limit(MAX_WEEKS + 1)
    if request.since is not None:
        stmt = stmt.where(RegionPublishedWeek.week_start > request.since)
    weeks = list(session.scalars(stmt))
    more = len(weeks) > MAX_WEEKS
    weeks = weeks[:MAX_WEEKS]
    return {
        "format": FORMAT,
        "nonce": request.nonce,
        "issued_at": now.astimezone(UTC).isoformat(),
        "since": request.since.isoformat() if request.since else None,
        "through": weeks[-1].week_start.isoformat() if weeks else None,
        "more": more,
        "min_cell_count": k,
        "columns": [{"name": c.name, "hxl": c.hxl} for c in REGION_COLUMNS],
        # Each week with the threshold it was suppressed with when it was frozen (k may have changed since).
        "weeks": [{"week": week_label(w.week_start), "week_start": w.week_start.isoformat(), "min_cell_count": w.k,
                   "rows": w.rows} for w in weeks],
        "rumours": [_rumour(r) for r in _reviewed_rumours(session)],
        "messages": [_message(m) for m in _shareable_messages(session, now.date())],
        # Added after the first format (a subscriber from before ignores them; one after reads them as empty
        # when a peer from before leaves them out): which peers' messages are used here, campaign evaluations.
        "adoptions": published_adoptions(session),
        "evaluations": published_evaluations(session),
    }


def _reviewed_rumours(session: Session) -> list[Rumour]:
    stmt = (select(Rumour).where(Rumour.status == RumourStatus.REVIEWED, Rumour.merged_into_id.is_(None))
            .order_by(Rumour.id))
    return list(session.scalars(stmt))


def _rumour(rumour: Rumour) -> dict[str, Any]:
    # No report count, no dates of single reports: only what staff wrote about the claim.
    return {"id": rumour.id, "category": rumour.category, "code": rumour.code,
            "statement": rumour.canonical_statement, "translations": dict(rumour.statement_translations or {}),
            "verification": rumour.verification}


def _shareable_messages(session: Session, today: date) -> list[CounterMessage]:
    stmt = (select(CounterMessage)
            .where(CounterMessage.status == ApprovalStatus.APPROVED, CounterMessage.shareable.is_(True),
                   (CounterMessage.valid_until.is_(None)) | (CounterMessage.valid_until >= today))
            .order_by(CounterMessage.id))
    return list(session.scalars(stmt))


def _message(message: CounterMessage) -> dict[str, Any]:
    item = {"id": message.id, "rumour_id": message.rumour_id, "category": message.category,
            "language": message.language, "title": message.title, "body": message.body, "source": message.source}
    if message.audio_path and message.audio_path.startswith("https://"):
        item["audio_url"] = message.audio_path  # an approved recording peers' phone lines can play as it is
    return item


def signed_feed(session: Session, request: FeedRequest, now: datetime, k: int, confirmed_score: float,
                key: Ed25519PrivateKey) -> dict[str, Any]:
    """Freeze what has closed since the last request, then the signed envelope of the feed for ``request``."""
    freeze_weeks(session, now.date(), k, confirmed_score)
    freeze_evaluations(session, last_closed_week(now.date()) + timedelta(days=6), k)
    return sign(build_document(session, request, now, k), key)
