"""Everything the report page shows, read in a fixed number of statements (no lazy loads in the template)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hotline.classify.service import rumour_index
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.recording_files import RecordingFolders
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.models import CounterMessage, Rumour
from hotline.triage.models import ProtectionReferral

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class RumourSuggestion:
    """A rumour the matcher thinks this report repeats."""

    rumour: Rumour
    score: float


@dataclass(frozen=True)
class ReportView:
    """The report, its conversation, the caller's earlier reports, and what the operator can pick from."""

    report: Report
    contact: Contact
    caller: Caller | None
    messages: Sequence[Message]
    history: Sequence[Report]
    recording: Recording | None
    recording_present: bool
    rumour: Rumour | None
    suggestions: Sequence[RumourSuggestion]
    counter_messages: Sequence[CounterMessage]
    referrals: Sequence[ProtectionReferral]
    reply_language: str | None


def reports_of_recording(session: Session, recording: Recording) -> Sequence[Report]:
    """The reports made from a recording; else those of its contact (a voicemail filed with the call's report)."""
    made = session.scalars(select(Report).where(Report.recording_id == recording.id)).all()
    return made or reports_of_contact(session, recording.contact_id)


def reports_of_contact(session: Session, contact_id: int) -> Sequence[Report]:
    """Every report of one contact (a call, an SMS conversation): what its messages and media belong to."""
    return session.scalars(select(Report).where(Report.contact_id == contact_id)).all()


def load_report_view(session: Session, report_id: int, today: date, storage: RecordingFolders) -> ReportView | None:
    """The report page's data, or None for an unknown report."""
    report = session.scalar(
        select(Report).where(Report.id == report_id)
        .options(joinedload(Report.contact).joinedload(Contact.caller), joinedload(Report.recording))
        .execution_options(populate_existing=True))
    if report is None:
        return None
    contact = report.contact
    caller = contact.caller
    messages = session.scalars(select(Message).where(Message.contact_id == contact.id).order_by(Message.id)).all()
    history: Sequence[Report] = []
    if report.caller_id is not None:
        history = session.scalars(
            select(Report).where(Report.caller_id == report.caller_id, Report.id != report.id)
            .order_by(Report.received_at.desc()).limit(HISTORY_LIMIT)).all()
    rumour = session.get(Rumour, report.rumour_id) if report.rumour_id is not None else None
    suggestions = _suggestions(session, report)
    reply_language = (caller.language if caller else None) or report.language
    counter_messages = approved_counter_messages(session, reply_language, today, limit=30) if reply_language else []
    referrals = session.scalars(select(ProtectionReferral).where(ProtectionReferral.report_id == report.id)
                                .order_by(ProtectionReferral.id)).all()
    return ReportView(report=report, contact=contact, caller=caller, messages=messages, history=history,
                      recording=report.recording,
                      recording_present=storage.file(report.recording) is not None,
                      rumour=rumour, suggestions=suggestions, counter_messages=counter_messages,
                      referrals=referrals, reply_language=reply_language)


def _suggestions(session: Session, report: Report, limit: int = 5) -> list[RumourSuggestion]:
    text = report.text or report.translation
    if not text:
        return []
    matches = rumour_index(session).search(text, limit=limit)
    if not matches:
        return []
    rumours = {r.id: r for r in session.scalars(select(Rumour).where(Rumour.id.in_([m.rumour_id for m in matches])))}
    return [RumourSuggestion(rumours[m.rumour_id], m.score) for m in matches if m.rumour_id in rumours]
