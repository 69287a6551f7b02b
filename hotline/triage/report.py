"""Everything the report page shows, read in a fixed number of statements (no lazy loads in the template)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hotline.auth.models import User
from hotline.callbacks.models import CallbackAttempt
from hotline.callbacks.service import attempts_of, has_consent
from hotline.classify.service import rumour_index
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.recording_files import RecordingFolders
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.models import CounterMessage, Rumour
from hotline.triage.access import may_open
from hotline.triage.models import ProtectionReferral

HISTORY_LIMIT = 20
THREAD_LIMIT = 200  # the newest messages and recordings of the caller's conversation shown on a report page


@dataclass(frozen=True)
class RumourSuggestion:
    """A rumour the matcher thinks this report repeats."""

    rumour: Rumour
    score: float


@dataclass(frozen=True)
class ThreadEntry:
    """One message or recording of the caller's conversation, from whichever of their contacts it came."""

    at: datetime
    channel: str
    report_id: int | None  # the report its contact produced, to link to when it is not this one
    message: Message | None = None
    recording: Recording | None = None
    recording_present: bool = False


@dataclass(frozen=True)
class ReportView:
    """The report, its conversation, the caller's earlier reports, and what the operator can pick from."""

    report: Report
    contact: Contact
    caller: Caller | None
    thread: Sequence[ThreadEntry]
    history: Sequence[Report]
    recording: Recording | None
    recording_present: bool
    rumour: Rumour | None
    suggestions: Sequence[RumourSuggestion]
    counter_messages: Sequence[CounterMessage]
    referrals: Sequence[ProtectionReferral]
    reply_language: str | None
    callback_consent: bool = False  # the caller agreed to be called back about this report
    callback_attempts: Sequence[CallbackAttempt] = ()


def reports_of_recording(session: Session, recording: Recording) -> Sequence[Report]:
    """The reports made from a recording; else those of its contact (a voicemail filed with the call's report)."""
    made = session.scalars(select(Report).where(Report.recording_id == recording.id)).all()
    return made or reports_of_contact(session, recording.contact_id)


def reports_of_contact(session: Session, contact_id: int) -> Sequence[Report]:
    """Every report of one contact (a call, an SMS conversation): what its messages and media belong to."""
    return session.scalars(select(Report).where(Report.contact_id == contact_id)).all()


def load_report_view(session: Session, report_id: int, today: date, storage: RecordingFolders,
                     viewer: User | None = None) -> ReportView | None:
    """The report page's data, or None for an unknown report; the conversation holds what ``viewer`` may open."""
    report = session.scalar(
        select(Report).where(Report.id == report_id)
        .options(joinedload(Report.contact).joinedload(Contact.caller), joinedload(Report.recording))
        .execution_options(populate_existing=True))
    if report is None:
        return None
    contact = report.contact
    caller = contact.caller
    thread = load_thread(session, report, storage, viewer)
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
    return ReportView(report=report, contact=contact, caller=caller, thread=thread, history=history,
                      recording=report.recording,
                      recording_present=storage.file(report.recording) is not None,
                      rumour=rumour, suggestions=suggestions, counter_messages=counter_messages,
                      referrals=referrals, reply_language=reply_language,
                      callback_consent=has_consent(session, report.id),
                      callback_attempts=attempts_of(session, report.id))


def load_thread(session: Session, report: Report, storage: RecordingFolders, viewer: User | None = None,
                limit: int = THREAD_LIMIT) -> list[ThreadEntry]:
    """The caller's conversation across all their contacts (calls, SMS windows, WhatsApp), oldest first.

    A reply goes out on the report's own contact while the caller's answer opens a new one, so one contact alone
    shows half a conversation; and ids do not follow time (a spooled webhook is filed late), so entries are ordered
    by when they happened. An anonymous report has only its own contact. With a ``viewer``, another contact counts
    only when the viewer may open one of its reports (hotline.triage.access), as its own page would require.
    """
    mine = Contact.caller_id == report.caller_id if report.caller_id is not None else Contact.id == report.contact_id
    channels = {cid: channel for cid, channel in session.execute(select(Contact.id, Contact.channel).where(mine))}
    first_report: dict[int, int] = {}
    openable = {report.contact_id}
    for rid, cid, language, sensitivity, assignee_id in session.execute(
            select(Report.id, Report.contact_id, Report.language, Report.sensitivity, Report.assignee_id)
            .where(Report.contact_id.in_(channels)).order_by(Report.id.desc())):
        first_report[cid] = rid
        if viewer is None or may_open(viewer, language, sensitivity, assignee_id):
            openable.add(cid)
    messages = session.scalars(select(Message).where(Message.contact_id.in_(openable))
                               .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)).all()
    recordings = session.scalars(select(Recording).where(Recording.contact_id.in_(openable))
                                 .options(joinedload(Recording.contact))
                                 .order_by(Recording.created_at.desc(), Recording.id.desc()).limit(limit)).all()
    entries = [ThreadEntry(m.created_at, channels[m.contact_id], first_report.get(m.contact_id), message=m)
               for m in messages]
    entries += [ThreadEntry(r.created_at, channels[r.contact_id], first_report.get(r.contact_id), recording=r,
                            recording_present=storage.file(r) is not None) for r in recordings]
    entries.sort(key=_when)
    return entries[-limit:]


def _when(entry: ThreadEntry) -> tuple[datetime, bool, int]:
    # At the same moment a call's recording comes before a text; then the order they were stored in.
    stored = entry.message.id if entry.message else (entry.recording.id if entry.recording else 0)
    return entry.at, entry.message is not None, stored


def _suggestions(session: Session, report: Report, limit: int = 5) -> list[RumourSuggestion]:
    text = report.text or report.translation
    if not text:
        return []
    matches = rumour_index(session).search(text, limit=limit)
    if not matches:
        return []
    rumours = {r.id: r for r in session.scalars(select(Rumour).where(Rumour.id.in_([m.rumour_id for m in matches])))}
    return [RumourSuggestion(rumours[m.rumour_id], m.score) for m in matches if m.rumour_id in rumours]
