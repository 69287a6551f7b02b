"""Briefing packs: for an area and a language, the current top rumours (staff-written canonical statements, never
caller text) and the approved counter-messages, to print on one page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.intake.models import Report
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.models import Rumour, RumourStatus

WINDOW_DAYS = 56
TOP_RUMOURS = 5
TOP_MESSAGES = 4


@dataclass(frozen=True)
class BriefingRumour:
    """A rumour as the sheet shows it."""

    statement: str
    category: str
    reports: int
    people: int


@dataclass(frozen=True)
class BriefingMessage:
    """An approved counter-message as the sheet shows it."""

    title: str
    body: str
    source: str | None


@dataclass(frozen=True)
class Briefing:
    """One sheet."""

    country: str | None
    admin1: str | None
    language: str
    generated_on: date
    rumours: tuple[BriefingRumour, ...]
    messages: tuple[BriefingMessage, ...]


def build_briefing(session: Session, country: str | None, admin1: str | None, language: str,
                   now: datetime) -> Briefing:
    """The top reviewed rumours reported in the area lately, and the counter-messages approved for today."""
    count = func.count(Report.id)
    people = func.coalesce(func.sum(Report.people_count), 0)
    query = (
        select(Rumour, count, people)
        .join(Report, Report.rumour_id == Rumour.id)
        .where(Rumour.status == RumourStatus.REVIEWED, Report.received_at >= now - timedelta(days=WINDOW_DAYS))
        .group_by(Rumour.id)
        .order_by(count.desc(), Rumour.id)
        .limit(TOP_RUMOURS)
    )
    if country:
        query = query.where(Report.country == country)
    if admin1:
        query = query.where(Report.admin1 == admin1)
    rumours = tuple(
        BriefingRumour((rumour.statement_translations or {}).get(language) or rumour.canonical_statement,
                       rumour.category, int(reports or 0), int(total or 0))
        for rumour, reports, total in session.execute(query).all()
    )
    messages = tuple(BriefingMessage(m.title, m.body, m.source)
                     for m in approved_counter_messages(session, language, now.date(), limit=TOP_MESSAGES))
    return Briefing(country, admin1, language, now.date(), rumours, messages)
