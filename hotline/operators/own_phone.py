"""Operators who take calls on their own phone: the number sealed like a caller's reply address (only its last two
digits are ever shown), where they take calls, and the life of a call put through to it: whisper, accept (key 1),
or back to the queue.

Takes a Session, flushes, never commits. The number leaves this module only unsealed for the TwiML that dials it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.intake.models import Contact
from hotline.intake.state import CallInfo
from hotline.operators.models import OperatorCall, OperatorPresence, phone_binding
from hotline.operators.presence import presence_of
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.privacy.sealing import SealBroken, seal, unseal

BROWSER, PHONE = "browser", "phone"
RETURNED = "returned"  # the operator did not accept: the caller went back to the queue


class OwnPhoneRefused(Exception):
    """``reason``: "not_a_number", "not_the_same", "no_number"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalised_number(raw: str, confirmation: str) -> str:
    """The E.164 number typed twice alike; OwnPhoneRefused otherwise."""
    try:
        first, second = parse_address(raw), parse_address(confirmation)
    except NotAPhoneNumber:
        raise OwnPhoneRefused("not_a_number") from None
    if first.scheme or first.country is None:
        raise OwnPhoneRefused("not_a_number")
    if first.e164 != second.e164:
        raise OwnPhoneRefused("not_the_same")
    return first.e164


def set_own_phone(session: Session, user: User, e164: str, keys: PrivacyKeys, now: datetime) -> OperatorPresence:
    """Seal and keep the operator's number (bound to them), with its last two digits to show."""
    row = presence_of(session, user, now)
    row.phone_sealed = seal(keys, e164, phone_binding(user.id))
    row.phone_hint = e164[-2:]
    session.flush()
    return row


def clear_own_phone(session: Session, user: User, now: datetime) -> None:
    """Forget the operator's number; they take calls in the browser again."""
    row = presence_of(session, user, now)
    row.phone_sealed, row.phone_hint, row.answer_on = None, None, BROWSER
    session.flush()


def set_answer_on(session: Session, user: User, where: str, now: datetime) -> None:
    """Take calls in the browser or on their own phone (which needs a number)."""
    row = presence_of(session, user, now)
    if where == PHONE and row.phone_sealed is None:
        raise OwnPhoneRefused("no_number")
    row.answer_on = PHONE if where == PHONE else BROWSER
    session.flush()


def own_number(session: Session, operator_id: int, keys: PrivacyKeys) -> str | None:
    """The operator's number unsealed, for the <Number> that dials it; None when unset or unreadable."""
    row = session.get(OperatorPresence, operator_id)
    if row is None or row.phone_sealed is None:
        return None
    try:
        return unseal(keys, row.phone_sealed, phone_binding(operator_id))
    except SealBroken:
        return None


def call_in_room(session: Session, room: str, lock: bool = False) -> OperatorCall | None:
    """The call an operator took into ``room``."""
    query = select(OperatorCall).where(OperatorCall.room == room)
    return session.scalar(query.with_for_update() if lock else query)


def is_caller_leg(session: Session, call: OperatorCall, call_sid: str) -> bool:
    """Whether ``call_sid`` is the caller's own call (a webhook about another call changes nothing)."""
    contact = session.get(Contact, call.contact_id)
    return contact is not None and contact.provider_id == call_sid


def accept(session: Session, call: OperatorCall, now: datetime) -> None:
    """The operator pressed 1 after the whisper: the caller is put through."""
    call.accepted_at = call.accepted_at or now
    session.flush()


def finish(session: Session, call: OperatorCall, duration: int | None, now: datetime) -> None:
    """The accepted call ended: when, and how long they talked."""
    if call.ended_at is None:
        call.ended_at = now
        start = call.accepted_at or call.taken_at
        call.talk_seconds = duration if duration is not None else max(0, int((now - start).total_seconds()))
    session.flush()


def back_to_queue(session: Session, call: OperatorCall, now: datetime) -> str | None:
    """The operator did not accept (no answer, busy, a key other than 1, hung up): the caller is offered again,
    keeping their place (the wait counts from when they first queued). Returns the TwiML that puts them back in
    the queue (their operator step's own, stored with the call), or None when there is none."""
    call.outcome, call.wrapped_at = RETURNED, now
    contact = session.get(Contact, call.contact_id, with_for_update=True)
    if contact is None:
        return None
    info: CallInfo = {**contact.state.get("call", {})}
    queue = {key: value for key, value in (info.get("queue") or {}).items()
             if key not in ("room", "taken_at", "outcome", "ended_at")}
    info["queue"] = queue
    info.pop("operator_id", None)
    contact.state = {**contact.state, "call": info}
    session.flush()
    twiml = contact.state.get("twiml")
    return str(twiml) if twiml else None
