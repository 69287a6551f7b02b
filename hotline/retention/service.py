"""Retention and erasure: delete or redact personal data that is due, keep every report's coding for the trends.

What is personal here: a caller's sealed reply address, recordings and field voice notes (their voice), free text
(report texts, translations that may quote them, message bodies, candidate rumours made from a report's words,
protection referral notes, what an operator noted about a call, the place a field report names in its contact's
state), spoken answers recorded for one caller (they may repeat the caller's words) and attachments (media links and
stored files). What stays: the Report row with its type, category, code, language, country, admin1, channel and
week, so aggregate counts are unchanged. Both operations flush and never commit, are idempotent (a second run finds
nothing to do), and append one AuditEvent that holds counts only.

A recording or media item still at Twilio keeps its URL when purged (a recording row marked purged, a media item
marked ``purged``): the caller deletes it at Twilio after the commit (hotline.channels.twilio.remote), and a failed
delete is tried again by the next run or by the fetch-recordings/fetch-media commands.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import ColumnElement, Text, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.callbacks.spoken_models import SpokenReply
from hotline.files import inside
from hotline.intake import store
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.recording_files import RecordingFolders
from hotline.operators.models import OperatorCall
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.privacy.pseudonym import pseudonym
from hotline.rumours.models import Rumour
from hotline.sms.models import InboxItem
from hotline.triage.models import ProtectionReferral

log = logging.getLogger("hotline.retention")
_BATCH = 500
Progress = Callable[[str, int], None]
M = TypeVar("M", Message, Recording, Contact)
# Keys of Contact.state that hold what a caller or focal point said: the place a field report was heard in.
PERSONAL_STATE_KEYS = ("place",)


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of data is kept (reply addresses expire on their own recorded date)."""

    recording_days: int
    text_days: int
    attachment_days: int


@dataclass
class PurgeCounts:
    """What one purge or erasure changed, by kind (no identifiers, no content)."""

    reply_addresses: int = 0
    recordings: int = 0
    recording_files: int = 0
    report_texts: int = 0
    message_bodies: int = 0
    attachments: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain mapping, for the audit trail and the CLI."""
        return {"reply_addresses": self.reply_addresses, "recordings": self.recordings,
                "recording_files": self.recording_files, "report_texts": self.report_texts,
                "message_bodies": self.message_bodies, "attachments": self.attachments, **self.extra}


def purge(session: Session, policy: RetentionPolicy, now: datetime, files: RecordingFolders,
          progress: Progress | None = None, media: Path | None = None) -> PurgeCounts:
    """Delete or redact everything past its retention period; record what was done (counts only).

    ``files`` holds the recordings and voice notes, ``media`` the stored media of texts (None: none stored here).
    """
    say = progress or (lambda _kind, _n: None)
    counts = PurgeCounts()
    counts.reply_addresses = _clear_reply_addresses(session, Caller.reply_address_expires_at <= now)
    say("reply addresses", counts.reply_addresses)
    counts.recordings, counts.recording_files = _purge_recordings(
        session, Recording.created_at < now - timedelta(days=policy.recording_days), files, now)
    say("recordings", counts.recordings)
    text_cutoff = now - timedelta(days=policy.text_days)
    counts.report_texts = _redact_reports(session, Report.received_at < text_cutoff, now)
    say("report texts", counts.report_texts)
    counts.message_bodies = _redact_messages(session, Message.created_at < text_cutoff)
    say("message bodies", counts.message_bodies)
    old_reports = select(Report.id).where(Report.received_at < text_cutoff).scalar_subquery()
    counts.extra["candidate_rumours"] = _redact_candidates(session, Rumour.source_report_id.in_(old_reports))
    say("candidate rumours", counts.extra["candidate_rumours"])
    counts.extra["referral_notes"] = _redact_referrals(session, ProtectionReferral.report_id.in_(old_reports))
    say("referral notes", counts.extra["referral_notes"])
    counts.extra["contact_places"] = _clear_places(session, Contact.started_at < text_cutoff)
    say("contact places", counts.extra["contact_places"])
    counts.extra["call_notes"] = _redact_call_notes(session, OperatorCall.taken_at < text_cutoff)
    say("call notes", counts.extra["call_notes"])
    counts.extra["spoken_answers"] = _drop_spoken_answers(
        session, SpokenReply.created_at < now - timedelta(days=policy.recording_days))
    say("spoken answers", counts.extra["spoken_answers"])
    # A text that never could be filed waits sealed in the SMS inbox: it goes when a filed one's words would.
    counts.extra["inbox_messages"] = session.execute(
        delete(InboxItem).where(InboxItem.received_at < text_cutoff)).rowcount or 0  # type: ignore[attr-defined]
    say("unfiled texts", counts.extra["inbox_messages"])
    counts.attachments = _drop_attachments(
        session, Message.created_at < now - timedelta(days=policy.attachment_days), media)
    say("attachments", counts.attachments)
    record_event(session, "cli", "retention.purge", "retention", None,
                 after={**counts.as_dict(), "recording_days": policy.recording_days,
                        "text_days": policy.text_days, "attachment_days": policy.attachment_days})
    session.flush()
    return counts


class CallerNotFound(LookupError):
    """No caller has contacted the hotline from that number (or they were erased already)."""


def find_caller(session: Session, keys: PrivacyKeys, number: str) -> Caller:
    """The caller behind a phone number, found through its pseudonym (the number itself is stored nowhere)."""
    try:
        address = parse_address(number)
    except NotAPhoneNumber:
        raise CallerNotFound("not a phone number") from None
    caller = session.scalar(select(Caller).where(Caller.pseudonym == pseudonym(keys, address.e164)))
    if caller is None:
        raise CallerNotFound("no caller with that number")
    return caller


def erase_caller(session: Session, caller: Caller, now: datetime, files: RecordingFolders,
                 media: Path | None = None) -> PurgeCounts:
    """Erase one caller's personal data everywhere; their reports keep coding, language, country and week.

    The pseudonym is replaced by a random value, so the erased history can no longer be linked to the number
    (a later contact from it starts a new caller).
    """
    counts = PurgeCounts()
    contact_ids = select(Contact.id).where(Contact.caller_id == caller.id).scalar_subquery()
    counts.reply_addresses = _clear_reply_addresses(session, Caller.id == caller.id)
    counts.recordings, counts.recording_files = _purge_recordings(
        session, Recording.contact_id.in_(contact_ids), files, now)
    counts.report_texts = _redact_reports(
        session, or_(Report.caller_id == caller.id, Report.contact_id.in_(contact_ids)), now)
    counts.message_bodies = _redact_messages(session, Message.contact_id.in_(contact_ids))
    their_reports = select(Report.id).where(
        or_(Report.caller_id == caller.id, Report.contact_id.in_(contact_ids))).scalar_subquery()
    counts.extra["candidate_rumours"] = _redact_candidates(session, Rumour.source_report_id.in_(their_reports))
    counts.extra["referral_notes"] = _redact_referrals(session, ProtectionReferral.report_id.in_(their_reports))
    counts.extra["contact_places"] = _clear_places(session, Contact.caller_id == caller.id)
    counts.extra["call_notes"] = _redact_call_notes(
        session, or_(OperatorCall.contact_id.in_(contact_ids), OperatorCall.report_id.in_(their_reports)))
    counts.extra["spoken_answers"] = _drop_spoken_answers(session, SpokenReply.report_id.in_(their_reports))
    counts.attachments = _drop_attachments(session, Message.contact_id.in_(contact_ids), media)
    caller.pseudonym = "erased-" + secrets.token_hex(28)
    caller.reply_address = caller.reply_address_expires_at = caller.phone_masked = None
    caller.opted_out, caller.opted_out_at = True, caller.opted_out_at or now  # never text this row again
    record_event(session, "cli", "caller.erase", "caller", caller.id, after=counts.as_dict())
    session.flush()
    return counts


def _clear_reply_addresses(session: Session, where: ColumnElement[bool]) -> int:
    result = session.execute(update(Caller).where(where, Caller.reply_address.is_not(None))
                             .values(reply_address=None, phone_masked=None)
                             .execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _redact_reports(session: Session, where: ColumnElement[bool], now: datetime) -> int:
    result = session.execute(
        update(Report).where(where, or_(Report.text.is_not(None), Report.translation.is_not(None)))
        .values(text=None, translation=None, text_redacted_at=now).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _redact_candidates(session: Session, where: ColumnElement[bool]) -> int:
    """Clear the statement of unreviewed candidate rumours made from these reports' words; the rumour, its links
    and counts stay (staff see it as a statement removed)."""
    result = session.execute(
        update(Rumour).where(where, Rumour.canonical_statement != "")
        .values(canonical_statement="", statement_translations={}).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _redact_referrals(session: Session, where: ColumnElement[bool]) -> int:
    """Staff notes on protection referrals say why, but may name or describe the caller: they go with the text."""
    result = session.execute(update(ProtectionReferral).where(where, ProtectionReferral.note.is_not(None))
                             .values(note=None).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _redact_call_notes(session: Session, where: ColumnElement[bool]) -> int:
    """The answer an operator noted during a call may repeat what the caller said: it goes with the text."""
    result = session.execute(update(OperatorCall).where(where, OperatorCall.answer_note.is_not(None))
                             .values(answer_note=None).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _drop_spoken_answers(session: Session, where: ColumnElement[bool]) -> int:
    """An answer recorded for one caller may repeat their words: its audio goes with their recordings (the row stays,
    so its attempts and delivery status still count)."""
    result = session.execute(update(SpokenReply).where(where, SpokenReply.audio.is_not(None))
                             .values(audio=None, sha256=None).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _clear_places(session: Session, where: ColumnElement[bool]) -> int:
    """Remove the place names a contact's state keeps (the JSON text is searched first: few contacts have one)."""
    cleared = 0
    named = or_(*(cast(Contact.state, Text).contains(f'"{key}"') for key in PERSONAL_STATE_KEYS))
    for batch in _batches(session, Contact, where, named):
        for contact in batch:
            if store.remove_state(contact, PERSONAL_STATE_KEYS):
                cleared += 1
        session.flush()
    return cleared


def _redact_messages(session: Session, where: ColumnElement[bool]) -> int:
    result = session.execute(update(Message).where(where, Message.body.is_not(None)).values(body=None)
                             .execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _drop_attachments(session: Session, where: ColumnElement[bool], media: Path | None) -> int:
    """Delete the stored copies of media and forget all about them but, for an item still at Twilio, its URL
    (marked ``purged``, for the delete there after the commit); the count of items stays for statistics."""
    dropped = 0
    for batch in _batches(session, Message, where, Message.num_media > 0):
        for message in batch:
            if not any(not item.get("purged") for item in message.media or []):
                continue  # nothing left here but URLs waiting to be deleted at Twilio
            if media is not None:
                for item in message.media:
                    if item.get("stored"):
                        _delete_file(media, str(item["stored"]))
            message.media = [{"url": item["url"], "purged": True} for item in message.media if item.get("url")]
            dropped += 1
        session.flush()
    return dropped


def _purge_recordings(session: Session, where: ColumnElement[bool], files: RecordingFolders,
                      now: datetime) -> tuple[int, int]:
    """Delete each recording's (or voice note's) audio file; the Recording row stays, marked purged, with the URL
    of a copy still at Twilio until that is deleted there after the commit."""
    purged = removed = 0
    for batch in _batches(session, Recording, where, Recording.purged_at.is_(None)):
        for recording in batch:
            if recording.storage_path and _delete_file(files.root(recording), recording.storage_path):
                removed += 1
            recording.storage_path = None
            recording.purged_at = now
            purged += 1
        session.flush()
    return purged, removed


def _batches(session: Session, model: type[M], *where: ColumnElement[bool]) -> Iterator[list[M]]:
    """Rows in id order, a batch at a time; the caller flushes each batch, so memory stays flat."""
    last = 0
    while True:
        rows = list(session.scalars(select(model).where(*where, model.id > last).order_by(model.id).limit(_BATCH)))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _delete_file(root: Path, relative: str) -> bool:
    """Delete a stored file, refusing any path that would leave the storage folder."""
    target = inside(root, relative)
    if target is None:
        log.error("refused to delete a file outside the storage folder")
        return False
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True
