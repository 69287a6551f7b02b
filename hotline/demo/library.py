"""Seed the reviewed rumours, their counter-messages, the campaign and the focal points (flush only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.campaigns.models import Campaign
from hotline.demo.content import Library
from hotline.field.models import FocalPoint
from hotline.intake.models import Report
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus


def add_rumours(session: Session, library: Library, users: Mapping[str, User], now: datetime) -> dict[str, Rumour]:
    """Reviewed rumours with statements in several languages and their counter-messages, by key."""
    rumours: dict[str, Rumour] = {}
    approved_at = now - timedelta(weeks=11)
    for spec in library.rumours:
        rumour = Rumour(
            canonical_statement=spec.statement, statement_translations=dict(spec.translations),
            category=spec.category, code=spec.code, status=RumourStatus.REVIEWED, verification=spec.verification,
            risk=spec.risk, report_count=0, created_at=approved_at, updated_at=approved_at,
        )
        session.add(rumour)
        for message in spec.messages:
            approved = message.status == ApprovalStatus.APPROVED
            session.add(CounterMessage(
                rumour=rumour, category=spec.category, language=message.language, title=message.title,
                body=message.body, source=message.source, status=message.status,
                created_by_id=users["analyst"].id, approved_by_id=users["supervisor"].id if approved else None,
                approved_at=approved_at if approved else None, valid_from=approved_at.date() if approved else None,
                created_at=approved_at, updated_at=approved_at,
            ))
        rumours[spec.key] = rumour
    session.flush()
    return rumours


def refresh_rumour_counts(session: Session, rumours: Mapping[str, Rumour]) -> None:
    """Make report_count, first_seen_at and last_seen_at agree with the reports linked to each rumour."""
    rows = session.execute(
        select(Report.rumour_id, func.count(), func.min(Report.received_at), func.max(Report.received_at))
        .where(Report.rumour_id.is_not(None))
        .group_by(Report.rumour_id)
    ).all()
    stats = {row[0]: row[1:] for row in rows}
    for rumour in rumours.values():
        count, first, last = stats.get(rumour.id, (0, None, None))
        rumour.report_count, rumour.first_seen_at, rumour.last_seen_at = count, first, last
    session.flush()


def add_campaign(session: Session, library: Library, users: Mapping[str, User], now: datetime) -> Campaign:
    """The one demo campaign, running around today."""
    spec = library.campaign
    starts = (now - timedelta(weeks=spec["starts_weeks_ago"])).date()
    campaign = Campaign(
        name=spec["name"], description=spec["description"],
        regions=[{"country": code[:2], "admin1": code} for code in spec["regions"]],
        languages=list(spec["languages"]), channels=list(spec["channels"]),
        target_categories=list(spec["target_categories"]), starts_on=starts,
        ends_on=starts + timedelta(weeks=spec["lasts_weeks"]), created_by_id=users["analyst"].id,
    )
    session.add(campaign)
    return campaign


def add_focal_points(session: Session, library: Library, now: datetime) -> list[FocalPoint]:
    """The focal points; their Caller rows appear when their first submission goes through intake."""
    points = [
        FocalPoint(display_name=spec.display_name, kind=spec.kind, country=spec.admin1[:2], admin1=spec.admin1,
                   area=spec.area, languages=list(spec.languages), created_at=now - timedelta(weeks=13))
        for spec in library.focal_points
    ]
    session.add_all(points)
    session.flush()
    return points
