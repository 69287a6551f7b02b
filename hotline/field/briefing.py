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
class BriefingMessage:
    """An approved counter-message as the sheet shows it."""

    title: str
    body: str
    source: str | None


@dataclass(frozen=True)
class BriefingRumour:
    """A rumour as the sheet shows it, with the fact that answers it (its own approved counter-message in the
    sheet's language, else its category's), when there is one."""

    statement: str
    category: str
    reports: int
    people: int
    fact: BriefingMessage | None = None


@dataclass(frozen=True)
class Briefing:
    """One sheet."""

    country: str | None
    admin1: str | None
    language: str
    generated_on: date
    rumours: tuple[BriefingRumour, ...]
    messages: tuple[BriefingMessage, ...]

    @property
    def other_messages(self) -> tuple[BriefingMessage, ...]:
        """The day's facts not already printed beside a rumour (a sheet says each fact once)."""
        paired = {r.fact for r in self.rumours if r.fact is not None}
        return tuple(m for m in self.messages if m not in paired)


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
    today = now.date()
    rumours = tuple(
        BriefingRumour((rumour.statement_translations or {}).get(language) or rumour.canonical_statement,
                       rumour.category, int(reports or 0), int(total or 0),
                       _fact(session, language, today, rumour))
        for rumour, reports, total in session.execute(query).all()
    )
    messages = tuple(BriefingMessage(m.title, m.body, m.source)
                     for m in approved_counter_messages(session, language, today, limit=TOP_MESSAGES))
    return Briefing(country, admin1, language, today, rumours, messages)


def _fact(session: Session, language: str, today: date, rumour: Rumour) -> BriefingMessage | None:
    """The approved counter-message for ``rumour`` in ``language``, else one for its category; None without."""
    found = (approved_counter_messages(session, language, today, rumour_id=rumour.id, limit=1)
             or approved_counter_messages(session, language, today, category=rumour.category, limit=1))
    return BriefingMessage(found[0].title, found[0].body, found[0].source) if found else None
