"""The signed-in focal point's own reports and what became of them (never anyone else's, never staff notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.field.outcomes import outcome
from hotline.intake.models import Contact, Report
from hotline.rumours.models import Rumour, RumourStatus

MY_REPORTS_LIMIT = 50
EXCERPT_CHARS = 120


@dataclass(frozen=True)
class MyReport:
    """One of the focal point's reports as their page shows it."""

    reference: int
    received_on: date
    excerpt: str | None  # their own words, shortened; None once retention cleared the text
    outcome: str  # hotline.field.outcomes
    rumour: str | None  # the known rumour staff linked it to (its reviewed statement, in the page's language)


def my_reports(session: Session, focal_point_id: int, language: str,
               limit: int = MY_REPORTS_LIMIT) -> list[MyReport]:
    """The latest reports this focal point sent (web form, SMS or paper), newest first."""
    stmt = (select(Report, Rumour)
            .join(Contact, Report.contact_id == Contact.id)
            .outerjoin(Rumour, (Report.rumour_id == Rumour.id) & (Rumour.status == RumourStatus.REVIEWED))
            .where(Contact.focal_point_id == focal_point_id)
            .order_by(Report.received_at.desc(), Report.id.desc()).limit(limit))
    out: list[MyReport] = []
    for report, rumour in session.execute(stmt):
        text = report.text
        excerpt = None if not text else (text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…")
        # A link counts only once staff confirmed the coding: a machine's suggestion is not news for the field.
        linked = rumour if rumour is not None and report.coded_by_id is not None else None
        statement = ((linked.statement_translations or {}).get(language) or linked.canonical_statement
                     if linked is not None else None)
        out.append(MyReport(report.id, report.received_at.date(), excerpt,
                            outcome(report.status, report.coded_by_id is not None), statement))
    return out
