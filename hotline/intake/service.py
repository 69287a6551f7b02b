"""Intake service: record a contact and what it brought, idempotently, for every channel.

It flushes and never commits: the request boundary commits once. A replayed provider event (same MessageSid,
RecordingSid, CallSid or submission id) finds what was stored the first time and creates nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.content.taxonomy import Taxonomy
from hotline.db import after_commit
from hotline.intake import store
from hotline.intake.constants import Channel, Direction, MessageStatus
from hotline.intake.inbound import InboundReport, Intake, clean_text, iso_week_start, urgency_rank
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, PhoneAddress, mask, parse_address
from hotline.privacy.pseudonym import pseudonym
from hotline.privacy.redact import redact_phone_numbers
from hotline.privacy.sealing import expiry, seal

_CONVERSATION_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


class IntakeError(ValueError):
    """The event cannot be recorded as given (e.g. a coding that is not in the codebook)."""


def _no_queue(_report_id: int) -> None:
    """Outside an app (a script or benchmark holding only a session) no job queue classifies reports."""


@dataclass(frozen=True)
class IntakeContext:
    """What intake needs besides the event: keys, retention, the codebook, and where new reports go to be
    classified once committed (the app's job queue: the webhook answers at once, and a classifier failure never
    loses the report)."""

    keys: PrivacyKeys
    taxonomy: Taxonomy
    reply_address_ttl_days: int
    conversation_window: timedelta
    classify_later: Callable[[int], None] = _no_queue


@dataclass(frozen=True)
class IntakeResult:
    """What was stored (or found, for a replay)."""

    contact: Contact
    caller: Caller | None
    report: Report | None
    created: bool
    new_caller: bool = False
    new_contact: bool = False


@dataclass(frozen=True)
class KnownCaller:
    """What is known of a new contact's caller before the contact is stored: what a channel's first step uses."""

    language: str | None
    heard_via: str | None


@dataclass(frozen=True)
class ContactOpening:
    """A new contact's first state, decided by its channel and written by the contact's own INSERT.

    ``language`` and ``heard_via`` are what the first step learnt: the language becomes the caller's too, and
    ``heard_via`` becomes the caller's unless they had told us before.
    """

    state: dict[str, Any]
    ivr_path: Sequence[str] = ()
    status: str | None = None
    language: str | None = None
    heard_via: str | None = None


@dataclass(frozen=True)
class _StoredCaller:
    id: int
    language: str | None
    heard_via: str | None
    opted_out: bool
    last_seen_at: datetime


@dataclass(frozen=True)
class PendingContact:
    """A contact about to be opened by ``open_contact``: its event and its caller (None: an anonymous contact)."""

    event: Intake
    caller: KnownCaller | None
    address: PhoneAddress | None = field(default=None, repr=False)
    pseudonym: str | None = field(default=None, repr=False)
    stored: _StoredCaller | None = field(default=None, repr=False)


def begin_contact(session: Session, event: Intake, ctx: IntakeContext) -> PendingContact | None:
    """Look up what a new contact needs (its caller), or return None when the contact exists already.

    For an event that opens a contact by its key and brings nothing else (a call's first webhook). None means a
    replay, or an earlier webhook of the same contact: ``record`` handles those. Nothing is written here.
    """
    if not event.contact_key or event.message or event.recording or event.report:
        raise ValueError("begin_contact takes an event that only opens a contact by its key")
    try:
        address = parse_address(event.sender)
    except NotAPhoneNumber:
        if store.execute(session, store.CONTACT_ID_BY_KEY, {"key": event.contact_key}).first() is not None:
            return None
        return PendingContact(event, None)  # withheld caller ID: an anonymous contact
    key = pseudonym(ctx.keys, address.e164)
    row = store.execute(session, store.CONTACT_AND_CALLER, {"key": event.contact_key, "pseudonym": key}).one()
    if row.contact_id is not None:
        return None
    stored = None if row.id is None else _StoredCaller(row.id, row.language, row.heard_via, bool(row.opted_out),
                                                       row.last_seen_at)
    language = event.language or (stored.language if stored else None)
    heard_via = (stored.heard_via if stored else None) or event.heard_via
    return PendingContact(event, KnownCaller(language, heard_via), address, key, stored)


def open_contact(session: Session, pending: PendingContact, ctx: IntakeContext, opening: ContactOpening) -> int | None:
    """Store the caller (inserted or refreshed) and the contact with its first state; return the contact's id.

    Two statements: the caller's INSERT (or UPDATE) and the contact's INSERT, which already holds what the first
    step decided. None when a concurrent delivery of the same event stored the contact first: ``record`` then
    finds theirs. Like ``record`` it flushes nothing and never commits.
    """
    event = pending.event
    # As in ``record``: the event's heard_via is kept only for a caller who had not told us before.
    told_before = pending.stored is not None and pending.stored.heard_via is not None
    event_heard_via = event.heard_via if pending.caller is not None and not told_before else None
    caller_id = _store_caller(session, pending, ctx, opening, event_heard_via) if pending.caller else None
    values = {
        "caller_id": caller_id, "channel": event.channel, "provider_id": event.contact_key,
        "hotline_number": event.hotline_number, "language": opening.language or event.language,
        "focal_point_id": event.focal_point_id, "started_at": event.received_at,
        "last_activity_at": event.received_at, "status": opening.status, "state": opening.state,
        "ivr_path": [*([event.ivr_step] if event.ivr_step else []), *opening.ivr_path],
        "heard_via": event_heard_via or opening.heard_via,
    }
    return store.insert_returning_id(session, store.CONTACTS, values)


def _stored_caller(session: Session, key: str) -> _StoredCaller | None:
    row = store.execute(session, store.CALLER_BY_PSEUDONYM, {"key": key}).first()
    if row is None:
        return None
    return _StoredCaller(row.id, row.language, row.heard_via, bool(row.opted_out), row.last_seen_at)


def _store_caller(session: Session, pending: PendingContact, ctx: IntakeContext, opening: ContactOpening,
                  event_heard_via: str | None) -> int:
    event, stored, address, key = pending.event, pending.stored, pending.address, pending.pseudonym
    if address is None or key is None:
        raise ValueError("a pending contact with a caller carries its address and pseudonym")
    learnt: dict[str, Any] = {"language": opening.language} if opening.language else {}
    heard_via = event_heard_via or opening.heard_via
    if stored is None:
        values = {
            "pseudonym": key, "key_version": ctx.keys.version, "country": address.country,
            "first_seen_at": event.received_at, "heard_via": heard_via,
            **_caller_refresh(address, key, event, ctx, opted_out=False, last_seen_at=None), **learnt,
        }
        inserted = store.insert_returning_id(session, store.CALLERS, values)
        if inserted is not None:
            return inserted
        # A concurrent first contact from the same number inserted the caller: refresh theirs instead.
        stored = _stored_caller(session, key)
        if stored is None:
            raise IntegrityError("caller insert refused and nothing to reload", None, ValueError(key))
    if heard_via and stored.heard_via is None:
        learnt["heard_via"] = heard_via
    values = {**_caller_refresh(address, key, event, ctx, stored.opted_out, stored.last_seen_at), **learnt}
    store.update_caller(session, stored.id, values)
    return stored.id


def record(session: Session, event: Intake, ctx: IntakeContext) -> IntakeResult:
    """Store one inbound event; a replay returns what the first delivery stored, with ``created=False``."""
    # One flush at the end instead of one per query: this runs on every webhook.
    with session.no_autoflush:
        replay = _find_replay(session, event)
        if replay is not None:
            return replay
        _check_coding(event.report, ctx.taxonomy)
        caller, new_caller = _caller_for(session, event, ctx)
        # With nothing else to look up, the replay check already looked for this contact key and found none.
        key_checked = bool(event.contact_key) and not (event.recording or event.report or event.message)
        contact, new_contact = _contact_for(session, event, caller, ctx, key_checked)
        contact.last_activity_at = max(contact.last_activity_at, event.received_at)
        if event.ivr_step:
            contact.ivr_path = [*contact.ivr_path, event.ivr_step]
        if event.heard_via and caller is not None and caller.heard_via is None:
            caller.heard_via = contact.heard_via = event.heard_via
        message = _add_message(session, contact, event)
        recording = _add_recording(session, contact, event)
        report = _add_report(session, event, contact, caller, message, recording)
    session.flush()
    if report is not None and report.text:
        report_id = report.id
        after_commit(session, lambda: ctx.classify_later(report_id))
    return IntakeResult(contact, caller, report, True, new_caller, new_contact)


def _find_replay(session: Session, event: Intake) -> IntakeResult | None:
    """What an earlier delivery of this event stored, looked up once per distinct provider id it carries."""
    lookups: dict[str, Callable[[], Message | Report | Recording | None]] = {}
    if event.recording is not None:
        rec_sid = event.recording.sid
        lookups[rec_sid] = lambda: session.scalar(select(Recording).where(Recording.provider_sid == rec_sid))
    if event.report is not None:
        source_id = event.report.source_id
        lookups[source_id] = lambda: session.scalar(select(Report).where(Report.source_id == source_id))
    if event.message is not None:
        # An SMS's MessageSid is also its report's source id: the message lookup replaces the report's.
        message_sid = event.message.sid
        lookups[message_sid] = lambda: session.scalar(select(Message).where(Message.provider_sid == message_sid))
    for lookup in lookups.values():
        found = lookup()
        if found is not None:
            report = found if isinstance(found, Report) else _report_for(session, event)
            return IntakeResult(found.contact, found.contact.caller, report, created=False)
    if event.contact_key and not lookups:
        contact = session.scalar(select(Contact).where(Contact.provider_id == event.contact_key))
        if contact is not None:
            return IntakeResult(contact, contact.caller, None, created=False)
    return None


def _report_for(session: Session, event: Intake) -> Report | None:
    if event.report is None:
        return None
    return session.scalar(select(Report).where(Report.source_id == event.report.source_id))


def _check_coding(report: InboundReport | None, taxonomy: Taxonomy) -> None:
    if report is not None and not taxonomy.is_valid_coding(report.type, report.category, report.code):
        raise IntakeError(f"coding {report.type}/{report.category}/{report.code} is not in the codebook")


def _caller_for(session: Session, event: Intake, ctx: IntakeContext) -> tuple[Caller | None, bool]:
    try:
        address = parse_address(event.sender)
    except NotAPhoneNumber:
        return None, False  # withheld caller ID or an alphanumeric sender: an anonymous contact
    key = pseudonym(ctx.keys, address.e164)
    found = session.scalar(select(Caller).where(Caller.pseudonym == key))
    caller: Caller
    created = False
    if found is not None:
        caller = found
    else:
        caller, created = store.insert_once(
            session,
            lambda: _refresh_caller(Caller(pseudonym=key, key_version=ctx.keys.version, country=address.country,
                                           first_seen_at=event.received_at, last_seen_at=event.received_at),
                                    address, key, event, ctx),
            lambda: session.scalar(select(Caller).where(Caller.pseudonym == key)),
        )
    if not created:  # a new caller was inserted complete: no second UPDATE
        _refresh_caller(caller, address, key, event, ctx)
    return caller, created


def _refresh_caller(caller: Caller, address: PhoneAddress, key: str, event: Intake, ctx: IntakeContext) -> Caller:
    last_seen = caller.last_seen_at  # None on a caller not inserted yet
    for name, value in _caller_refresh(address, key, event, ctx, bool(caller.opted_out), last_seen).items():
        setattr(caller, name, value)
    return caller


def _caller_refresh(address: PhoneAddress, key: str, event: Intake, ctx: IntakeContext, opted_out: bool,
                    last_seen_at: datetime | None) -> dict[str, Any]:
    """What every contact refreshes on its caller (one definition for the ORM and the Core path)."""
    values: dict[str, Any] = {
        "last_seen_at": event.received_at if last_seen_at is None else max(last_seen_at, event.received_at),
    }
    if event.language:
        values["language"] = event.language
    if not opted_out:
        values["phone_masked"] = mask(address.e164)
        values["reply_address"] = seal(ctx.keys, address.reply_address, key)
        values["reply_address_expires_at"] = expiry(event.received_at, ctx.reply_address_ttl_days)
    return values


def _contact_for(
    session: Session, event: Intake, caller: Caller | None, ctx: IntakeContext, key_checked: bool = False
) -> tuple[Contact, bool]:
    if event.contact_key:
        key = event.contact_key
        existing = None if key_checked else session.scalar(select(Contact).where(Contact.provider_id == key))
        if existing is not None:
            return existing, False
    elif event.channel in _CONVERSATION_CHANNELS and caller is not None:
        open_conversation = session.scalar(
            select(Contact)
            .where(Contact.caller_id == caller.id, Contact.channel == event.channel, Contact.ended_at.is_(None),
                   Contact.last_activity_at >= event.received_at - ctx.conversation_window)
            .order_by(Contact.last_activity_at.desc())
            .limit(1)
        )
        if open_conversation is not None:
            return open_conversation, False
        key = event.idempotency_key
    else:
        key = event.idempotency_key
    return store.insert_once(
        session,
        lambda: Contact(
            caller_id=caller.id if caller else None, channel=event.channel, provider_id=key,
            hotline_number=event.hotline_number, language=event.language, focal_point_id=event.focal_point_id,
            started_at=event.received_at, last_activity_at=event.received_at, ivr_path=[], state={},
        ),
        lambda: session.scalar(select(Contact).where(Contact.provider_id == key)),
    )


def _add_message(session: Session, contact: Contact, event: Intake) -> Message | None:
    if event.message is None:
        return None
    region = contact.caller.country if contact.caller else None
    body = clean_text(event.message.body)
    message = Message(
        contact=contact, direction=Direction.INBOUND, provider_sid=event.message.sid,
        body=redact_phone_numbers(body, region) if body else None, num_media=len(event.message.media),
        media=list(event.message.media), status=MessageStatus.RECEIVED, created_at=event.received_at,
    )
    session.add(message)
    return message


def _add_recording(session: Session, contact: Contact, event: Intake) -> Recording | None:
    if event.recording is None:
        return None
    rec = event.recording
    recording = Recording(
        contact=contact, provider_sid=rec.sid, purpose=rec.purpose, media_url=rec.media_url,
        content_type=rec.content_type, duration_seconds=rec.duration_seconds, created_at=event.received_at,
    )
    session.add(recording)
    return recording


def _add_report(
    session: Session, event: Intake, contact: Contact, caller: Caller | None,
    message: Message | None, recording: Recording | None,
) -> Report | None:
    inbound = event.report
    if inbound is None:
        return None
    country = inbound.country or (caller.country if caller else None)
    text = clean_text(inbound.text)
    report = Report(
        contact=contact, caller_id=caller.id if caller else None, message=message, recording=recording,
        channel=event.channel, source_id=inbound.source_id, received_at=event.received_at,
        week=iso_week_start(event.received_at), type=inbound.type, category=inbound.category, code=inbound.code,
        text=redact_phone_numbers(text, country) if text else None,
        language=inbound.language or event.language or (caller.language if caller else None),
        language_confidence=inbound.language_confidence, urgency=inbound.urgency,
        urgency_rank=urgency_rank(inbound.urgency), sensitivity=inbound.sensitivity, country=country,
        admin1=inbound.admin1, people_count=inbound.people_count,
    )
    session.add(report)
    return report
