"""Intake service: record a contact and what it brought, idempotently, for every channel.

It flushes and never commits: the request boundary commits once. A replayed provider event (same MessageSid,
RecordingSid, CallSid or submission id) finds what was stored the first time and creates nothing new.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, overload

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.content.taxonomy import Taxonomy
from hotline.db import after_commit, commits_each_statement, read_before_writing, rejoin_transaction
from hotline.intake import store
from hotline.intake.constants import Channel, Direction, MessageStatus
from hotline.intake.inbound import InboundReport, Intake, clean_text, iso_week_start, urgency_rank
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, PhoneAddress, parse_address
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
    message: Message | None = None  # the message the event brought (None for a replay)


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
    replay, or an earlier webhook of the same contact: ``record`` handles those. Nothing is written here. In
    a session that has not begun, this reads outside a write transaction until ``open_contact`` (see
    ``hotline.db.read_before_writing``): call it next, or let the request end.
    """
    if not event.contact_key or event.message or event.recording or event.report:
        raise ValueError("begin_contact takes an event that only opens a contact by its key")
    # The lookup takes no write lock (SQLite) and, with a new caller's one INSERT, no BEGIN and COMMIT round trips
    # (PostgreSQL): ``open_contact`` (or a replay, here) goes back to a write transaction for the rest.
    read_before_writing(session)
    found = _look_up(session, event, ctx)
    if found.row.contact_id is not None:
        rejoin_transaction(session)
        return None
    if found.address is None:
        return PendingContact(event, None)  # withheld caller ID: an anonymous contact
    stored = found.stored
    language = event.language or (stored.language if stored else None)
    heard_via = (stored.heard_via if stored else None) or event.heard_via
    return PendingContact(event, KnownCaller(language, heard_via), found.address, found.pseudonym, stored)


def open_contact(session: Session, pending: PendingContact, ctx: IntakeContext, opening: ContactOpening) -> int | None:
    """Store the caller (inserted or refreshed) and the contact with its first state; return the contact's id.

    The caller's INSERT (or UPDATE) and the contact's INSERT, which already holds what the first step decided: one
    statement for a new caller on PostgreSQL (``store.insert_caller_and_contact``), two otherwise. None when a
    concurrent delivery of the same event stored the contact first: ``record`` then finds theirs. Like ``record``
    it flushes nothing. Where ``begin_contact`` read outside a transaction, a new caller's or an anonymous contact's
    one INSERT on PostgreSQL commits by itself; the rest (and everything on SQLite) is written in a write
    transaction, in which the session is left.
    """
    event = pending.event
    # As in ``record``: the event's heard_via is kept only for a caller who had not told us before.
    told_before = pending.stored is not None and pending.stored.heard_via is not None
    event_heard_via = event.heard_via if pending.caller is not None and not told_before else None
    heard_via = event_heard_via or opening.heard_via
    # Ids only: the first step has run already, so nothing is read back (the state holds the whole TwiML).
    values = _new_contact(event, None, event.contact_key or event.idempotency_key)
    values.update(language=opening.language or event.language, status=opening.status, state=opening.state,
                  ivr_path=[*values["ivr_path"], *opening.ivr_path], heard_via=heard_via)
    if pending.caller is not None and pending.stored is None:  # a new caller: both rows, one statement on PG
        if not commits_each_statement(session):  # SQLite inserts the two rows in two statements: one write transaction
            rejoin_transaction(session)
        caller_id, contact_id = store.insert_caller_and_contact(
            session, _new_caller(pending, ctx, opening.language, heard_via), values)
        rejoin_transaction(session)
        if caller_id is not None:
            return contact_id
        # A concurrent first contact from the same number inserted the caller: ``_store_caller`` refreshes theirs.
    if pending.caller is None:  # an anonymous contact: its one INSERT
        if not commits_each_statement(session):
            rejoin_transaction(session)
        contact_id = store.insert_id(session, Contact, {**values, "caller_id": None}, once=True)
        rejoin_transaction(session)
        return contact_id
    rejoin_transaction(session)  # a stored caller's refresh and their contact: together or not at all
    values["caller_id"] = _store_caller(session, pending, ctx, opening.language, heard_via, load=False)[0]
    return store.insert_id(session, Contact, values, once=True)


@dataclass(frozen=True)
class _Found:
    """What ``_look_up`` learnt of an event before anything is written."""

    row: Any
    address: PhoneAddress | None
    pseudonym: str | None
    stored: _StoredCaller | None


def _look_up(session: Session, event: Intake, ctx: IntakeContext) -> _Found:
    """One SELECT: what of the event is stored already, its contact by key, its caller, their open conversation."""
    try:
        address: PhoneAddress | None = parse_address(event.sender)
    except NotAPhoneNumber:
        address = None  # withheld caller ID or an alphanumeric sender: an anonymous contact
    key = pseudonym(ctx.keys, address.e164) if address is not None else None
    conversation = not event.contact_key and event.channel in _CONVERSATION_CHANNELS and address is not None
    # An SMS's MessageSid is also its report's source id: the message's lookup stands for both.
    report_key = event.report is not None and (event.message is None or event.report.source_id != event.message.sid)
    statement = store.look_up(message=event.message is not None, recording=event.recording is not None,
                              report=report_key, contact=bool(event.contact_key), caller=address is not None,
                              conversation=conversation)
    params: dict[str, Any] = {
        "message_sid": event.message.sid if event.message else None,
        "recording_sid": event.recording.sid if event.recording else None,
        "source_id": event.report.source_id if event.report else None,
        "contact_key": event.contact_key, "pseudonym": key, "channel": event.channel,
        "since": event.received_at - ctx.conversation_window,
    }
    row = store.execute(session, statement, params).one()
    caller_id = getattr(row, "caller_id", None)
    stored = None if caller_id is None else _StoredCaller(caller_id, row.language, row.heard_via,
                                                          bool(row.opted_out), row.last_seen_at)
    return _Found(row, address, key, stored)


def _stored_caller(session: Session, key: str) -> _StoredCaller | None:
    row = store.execute(session, store.look_up(caller=True), {"pseudonym": key}).one()
    if row.caller_id is None:
        return None
    return _StoredCaller(row.caller_id, row.language, row.heard_via, bool(row.opted_out), row.last_seen_at)


@overload
def _store_caller(session: Session, pending: PendingContact, ctx: IntakeContext, language: str | None,
                  heard_via: str | None, load: Literal[True] = True) -> tuple[Caller, bool]: ...


@overload
def _store_caller(session: Session, pending: PendingContact, ctx: IntakeContext, language: str | None,
                  heard_via: str | None, load: Literal[False]) -> tuple[int, bool]: ...


def _store_caller(session: Session, pending: PendingContact, ctx: IntakeContext, language: str | None,
                  heard_via: str | None, load: bool = True) -> tuple[Caller, bool] | tuple[int, bool]:
    """Insert the pending contact's caller, or refresh the stored one: one statement either way (two when a
    concurrent first contact from the same number inserted them first). ``language`` becomes theirs; ``heard_via``
    too, unless they had told us before. The caller as a loaded object (with ``load=False`` their id), and whether
    this call inserted them."""
    stored, (_, key) = pending.stored, _address_and_key(pending)
    if stored is None:
        values = _new_caller(pending, ctx, language, heard_via)
        if load:
            row = store.insert_row(session, Caller, values, once=True)
            if row is not None:
                return row, True
        else:
            row_id = store.insert_id(session, Caller, values, once=True)
            if row_id is not None:
                return row_id, True
        # A concurrent first contact from the same number inserted the caller: refresh theirs instead.
        stored = _stored_caller(session, key)
        if stored is None:
            raise IntegrityError("caller insert refused and nothing to reload", None, ValueError(key))
    values = _caller_changes(pending, stored, ctx, language, heard_via)
    if load:
        return store.update_row(session, Caller, stored.id, values), False
    return store.update_id(session, Caller, stored.id, values), False


def _caller_changes(pending: PendingContact, stored: _StoredCaller, ctx: IntakeContext, language: str | None,
                    heard_via: str | None) -> dict[str, Any]:
    """What a returning caller's contact refreshes on them: ``language`` becomes theirs, ``heard_via`` too unless
    they had told us before."""
    address, key = _address_and_key(pending)
    learnt: dict[str, Any] = {"language": language} if language else {}
    if heard_via and stored.heard_via is None:
        learnt["heard_via"] = heard_via
    return {**_caller_refresh(address, key, pending.event, ctx, stored.opted_out, stored.last_seen_at), **learnt}


def _address_and_key(pending: PendingContact) -> tuple[PhoneAddress, str]:
    if pending.address is None or pending.pseudonym is None:
        raise ValueError("a pending contact with a caller carries its address and pseudonym")
    return pending.address, pending.pseudonym


def _new_caller(pending: PendingContact, ctx: IntakeContext, language: str | None,
                heard_via: str | None) -> dict[str, Any]:
    """A new caller's row, as their first contact inserts it."""
    event, (address, key) = pending.event, _address_and_key(pending)
    return {
        "pseudonym": key, "key_version": ctx.keys.version, "country": address.country,
        "first_seen_at": event.received_at, "heard_via": heard_via,
        **_caller_refresh(address, key, event, ctx, opted_out=False, last_seen_at=None),
        **({"language": language} if language else {}),
    }


@dataclass(frozen=True)
class Learnt:
    """What a channel learns from an event's content once it knows its caller's language (``record``'s ``learn``):
    written with the event's rows, not by UPDATEs after them."""

    language: str | None
    confidence: float | None = None
    caller_adopts: bool = False  # a caller with no language yet takes this one


def record(session: Session, event: Intake, ctx: IntakeContext,
           learn: Callable[[str | None], Learnt] | None = None) -> IntakeResult:
    """Store one inbound event; a replay returns what the first delivery stored, with ``created=False``.

    One statement per row, each returning its row as a loaded object (no unit of work): the lookup, then the
    caller's INSERT or UPDATE and the contact's (``_store_parties``: one statement for both, on PostgreSQL, when
    both are new or both stored), and the message, recording and report it brings. Changes the caller made to
    loaded objects before are flushed first, so they are written in the order they were made.

    ``learn`` is called once the caller's language is known (None: unknown, or a replay, which learns nothing); its
    language becomes the report's and a new contact's, and the caller's when they have none and adopt it.
    """
    session.flush()
    found = _look_up(session, event, ctx)
    replay = _replayed(session, event, found.row)
    if replay is not None:
        return replay
    _check_coding(event.report, ctx.taxonomy)
    known = event.language or (found.stored.language if found.stored else None)
    learnt = learn(known) if learn is not None else None
    adopted = learnt.language if learnt is not None and learnt.caller_adopts and known is None else None
    caller, new_caller, contact, new_contact = _store_parties(session, event, found, ctx, adopted, learnt)
    message, report = _add_rows(session, event, contact, caller, learnt)
    if report is not None and report.text:
        report_id = report.id
        after_commit(session, lambda: ctx.classify_later(report_id))
    return IntakeResult(contact, caller, report, True, new_caller, new_contact, message)


def _store_parties(session: Session, event: Intake, found: _Found, ctx: IntakeContext, adopted: str | None,
                   learnt: Learnt | None) -> tuple[Caller | None, bool, Contact, bool]:
    """The event's caller and contact, stored: (caller, new caller?, contact, new contact?).

    A returning caller's stored contact (both UPDATEs) and a new caller's first contact (both INSERTs) are one
    statement each on PostgreSQL. Otherwise (an anonymous contact, a known caller's new contact, a row that a
    concurrent event inserted meanwhile) the caller and then the contact.
    """
    if found.address is None:
        contact, new_contact = _store_contact(session, event, found.row, None, None, learnt)
        return None, False, contact, new_contact
    pending = PendingContact(event, None, found.address, found.pseudonym, found.stored)
    stored, existing_id = found.stored, _existing_contact(event, found.row)
    # The event's heard_via is the contact's only for a caller who had not told us before.
    heard_via = event.heard_via if stored is None or stored.heard_via is None else None
    if stored is not None and existing_id is not None:
        caller, contact = store.update_caller_and_contact(
            session, stored.id, _caller_changes(pending, stored, ctx, adopted, event.heard_via),
            existing_id, _contact_changes(event, heard_via))
        _add_step(contact, event)
        return caller, False, contact, False
    if stored is None and existing_id is None:
        new, opened = store.insert_caller_and_contact_rows(session, _new_caller(pending, ctx, adopted, event.heard_via),
                                                           _opened_contact(event, None, heard_via, learnt))
        if new is not None and opened is not None:
            return new, True, opened, True
        if new is not None:  # a concurrent delivery of the same event opened the contact first
            return new, True, _continue_contact(session, event, _contact_opened_meanwhile(session, event),
                                                heard_via), False
        # A concurrent first contact from the same number inserted the caller: refreshed below.
    caller, new_caller = _store_caller(session, pending, ctx, adopted, event.heard_via)
    contact, new_contact = _store_contact(session, event, found.row, caller, heard_via, learnt)
    return caller, new_caller, contact, new_contact


def _replayed(session: Session, event: Intake, row: Any) -> IntakeResult | None:
    """What an earlier delivery of this event stored, from the lookup's ids (a recording, report, message, or for an
    event that brings none of those, its contact)."""
    stored: Message | Report | Recording | None = None
    if getattr(row, "recording_id", None) is not None:
        stored = session.get(Recording, row.recording_id)
    elif getattr(row, "report_id", None) is not None:
        stored = session.get(Report, row.report_id)
    elif getattr(row, "message_id", None) is not None:
        stored = session.get(Message, row.message_id)
    if stored is not None:
        report = stored if isinstance(stored, Report) else _report_for(session, event)
        return IntakeResult(stored.contact, stored.contact.caller, report, created=False)
    if event.contact_key and not (event.message or event.recording or event.report) and row.contact_id is not None:
        contact = session.get(Contact, row.contact_id)
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


def _caller_refresh(address: PhoneAddress, key: str, event: Intake, ctx: IntakeContext, opted_out: bool,
                    last_seen_at: datetime | None) -> dict[str, Any]:
    """What every contact refreshes on its caller, inserted or updated."""
    values: dict[str, Any] = {
        "last_seen_at": event.received_at if last_seen_at is None else max(last_seen_at, event.received_at),
    }
    if event.language:
        values["language"] = event.language
    if not opted_out:
        values["phone_masked"] = address.masked
        values["reply_address"] = seal(ctx.keys, address.reply_address, key)
        values["reply_address_expires_at"] = expiry(event.received_at, ctx.reply_address_ttl_days)
    return values


def _new_contact(event: Intake, caller_id: int | None, key: str) -> dict[str, Any]:
    """A new contact's row, as its first event opens it."""
    return {
        "caller_id": caller_id, "channel": event.channel, "provider_id": key,
        "hotline_number": event.hotline_number, "language": event.language, "focal_point_id": event.focal_point_id,
        "started_at": event.received_at, "last_activity_at": event.received_at,
        "ivr_path": [event.ivr_step] if event.ivr_step else [], "state": {}, "heard_via": None,
    }


def _store_contact(session: Session, event: Intake, row: Any, caller: Caller | None,
                   heard_via: str | None, learnt: Learnt | None = None) -> tuple[Contact, bool]:
    """The event's contact: found by its key or as the caller's open conversation and brought up to date, or
    inserted. The contact and whether it is new."""
    existing_id = _existing_contact(event, row)
    if existing_id is None:
        inserted = store.insert_row(session, Contact, _opened_contact(event, caller, heard_via, learnt), once=True)
        if inserted is not None:
            return inserted, True
        existing_id = _contact_opened_meanwhile(session, event)
    return _continue_contact(session, event, existing_id, heard_via), False


def _opened_contact(event: Intake, caller: Caller | None, heard_via: str | None,
                    learnt: Learnt | None) -> dict[str, Any]:
    """The row of the contact an event opens (the learnt language its own unless the event brings one)."""
    opened = _new_contact(event, caller.id if caller else None, event.contact_key or event.idempotency_key)
    opened["heard_via"] = heard_via
    if opened["language"] is None and learnt is not None and learnt.language:
        opened.update(language=learnt.language, language_confidence=learnt.confidence)
    return opened


def _contact_opened_meanwhile(session: Session, event: Intake) -> int:
    """The contact a concurrent delivery of the same event opened while this one tried to."""
    key = event.contact_key or event.idempotency_key
    existing_id: int | None = store.execute(session, store.look_up(contact=True), {"contact_key": key}).one().contact_id
    if existing_id is None:
        raise IntegrityError("contact insert refused and nothing to reload", None, ValueError(key))
    return existing_id


def _continue_contact(session: Session, event: Intake, contact_id: int, heard_via: str | None) -> Contact:
    """Bring a stored contact up to date with an event that continues it."""
    contact = store.update_row(session, Contact, contact_id, _contact_changes(event, heard_via))
    _add_step(contact, event)
    return contact


def _existing_contact(event: Intake, row: Any) -> int | None:
    """The stored contact an event continues: the one with its key, or its caller's open conversation."""
    found: int | None = row.contact_id if event.contact_key else getattr(row, "conversation_id", None)
    return found


def _contact_changes(event: Intake, heard_via: str | None) -> dict[str, Any]:
    """What an event refreshes on the stored contact it continues."""
    changes: dict[str, Any] = {"last_activity_at": event.received_at}  # the later of this and the stored one
    if heard_via:
        changes["heard_via"] = heard_via
    return changes


def _add_step(contact: Contact, event: Intake) -> None:
    if event.ivr_step:
        contact.ivr_path = [*contact.ivr_path, event.ivr_step]


def _add_rows(session: Session, event: Intake, contact: Contact, caller: Caller | None,
              learnt: Learnt | None) -> tuple[Message | None, Report | None]:
    """The message and report the event brings (and its recording, which the report refers to). A text's message
    and report are one statement where the database can (``store.insert_message_and_report``)."""
    if event.recording is None:
        message_values, values = _message_values(contact, event), _report_values(event, contact, caller, None, None,
                                                                                 learnt)
        if message_values is not None and values is not None:
            return store.insert_message_and_report(session, message_values, values)
    message = _add_message(session, contact, event)
    recording = _add_recording(session, contact, event)
    values = _report_values(event, contact, caller, message, recording, learnt)
    return message, None if values is None else store.insert_row(session, Report, values)


def _add_message(session: Session, contact: Contact, event: Intake) -> Message | None:
    values = _message_values(contact, event)
    return None if values is None else store.insert_row(session, Message, values)


def _message_values(contact: Contact, event: Intake) -> dict[str, Any] | None:
    if event.message is None:
        return None
    region = contact.caller.country if contact.caller else None
    body = clean_text(event.message.body)
    return {
        "contact_id": contact.id, "direction": Direction.INBOUND, "provider_sid": event.message.sid,
        "body": redact_phone_numbers(body, region) if body else None, "num_media": len(event.message.media),
        "media": list(event.message.media), "status": MessageStatus.RECEIVED, "created_at": event.received_at,
    }


def _add_recording(session: Session, contact: Contact, event: Intake) -> Recording | None:
    if event.recording is None:
        return None
    rec = event.recording
    return store.insert_row(session, Recording, {
        "contact_id": contact.id, "provider_sid": rec.sid, "purpose": rec.purpose, "media_url": rec.media_url,
        "content_type": rec.content_type, "duration_seconds": rec.duration_seconds, "created_at": event.received_at,
    })


def _report_values(event: Intake, contact: Contact, caller: Caller | None, message: Message | None,
                   recording: Recording | None, learnt: Learnt | None = None) -> dict[str, Any] | None:
    """The report's row; None when the event brings none. Its ``message_id`` is None when the message is written
    with it (``store.insert_message_and_report`` fills it in)."""
    inbound = event.report
    if inbound is None:
        return None
    if learnt is not None and learnt.language:
        inbound = dataclasses.replace(inbound, language=learnt.language, language_confidence=learnt.confidence)
    country = inbound.country or (caller.country if caller else None)
    text = clean_text(inbound.text)
    return {
        "contact_id": contact.id, "caller_id": caller.id if caller else None,
        "message_id": message.id if message else None, "recording_id": recording.id if recording else None,
        "channel": event.channel, "source_id": inbound.source_id, "received_at": event.received_at,
        "week": iso_week_start(event.received_at), "type": inbound.type, "category": inbound.category,
        "code": inbound.code, "text": redact_phone_numbers(text, country) if text else None,
        "language": inbound.language or event.language or (caller.language if caller else None),
        "language_confidence": inbound.language_confidence, "urgency": inbound.urgency,
        "urgency_rank": urgency_rank(inbound.urgency), "sensitivity": inbound.sensitivity, "country": country,
        "admin1": inbound.admin1, "people_count": inbound.people_count,
    }
