"""Outbound SMS and WhatsApp: queue a reply (stored first, sent by a job after commit), send it, record status."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from hotline.channels.twilio.rest import twilio_client
from hotline.context import runtime
from hotline.db import after_commit, utcnow
from hotline.intake import store
from hotline.intake.constants import Direction, MessageStatus
from hotline.intake.models import Caller, Contact, Message
from hotline.jobs import enqueue, job_session
from hotline.privacy.sealing import SealBroken, is_expired, unseal
from hotline.sms.encoding import sms_cost
from hotline.sms.status import OPTED_OUT_ERROR, advances, stored_status

log = logging.getLogger("hotline.sms")
STATUS_PATH = "/twilio/sms/status"
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry Twilio's 5xx answers and connection failures."""

    attempts: int = 4
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 8.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff before retry number ``attempt`` (1-based)."""
        return float(min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (attempt - 1)))


class TransientFailure(Exception):
    """Twilio answered 5xx or could not be reached; worth retrying."""


def can_reply(caller: Caller | None, now: datetime) -> bool:
    """True when the caller has not opted out and their sealed reply address has not expired."""
    return (caller is not None and not caller.opted_out and caller.reply_address is not None
            and not is_expired(caller.reply_address_expires_at, now))


def queue_reply(session: Session, contact: Contact, body: str, *, sent_by_id: int | None = None,
                now: datetime | None = None) -> Message | None:
    """Store an outbound message (with its encoding and segments) and send it once the transaction commits.

    Returns None, storing nothing, when the caller cannot be replied to (opted out, expired, anonymous).
    """
    now = now or utcnow()
    if not can_reply(contact.caller, now):
        return None
    cost = sms_cost(body)
    if contact.id is None:
        session.flush()  # a contact opened in this transaction and not written yet
    message = store.insert_row(session, Message, {
        "contact_id": contact.id, "direction": Direction.OUTBOUND, "body": body, "encoding": cost.encoding,
        "segments": cost.segments, "status": MessageStatus.QUEUED, "sent_by_id": sent_by_id, "created_at": now,
        "status_updated_at": now})
    message_id = message.id
    after_commit(session, lambda: enqueue(send_message, message_id))
    return message


def call_with_retries(send: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> T:
    """Call ``send``, retrying transient failures with exponential backoff; 4xx errors are raised at once."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return send()
        except TwilioRestException as exc:
            if exc.status < 500 or attempt == policy.attempts:
                raise
        except requests.RequestException:
            if attempt == policy.attempts:
                raise
        log.info("twilio send failed, retrying", extra={"attempt": attempt})
        sleep(policy.delay(attempt))
    raise AssertionError("unreachable")


def retry_policy() -> RetryPolicy:
    """The app's retry policy (HOTLINE_SMS_RETRY_BASE_DELAY: the first delay, doubled after each failure)."""
    return RetryPolicy(base_delay_seconds=runtime().settings.sms_retry_base_delay)


def send_message(message_id: int) -> None:
    """Job: send one queued outbound message through Twilio's REST API and record the outcome.

    The REST call, retries included, runs between two short transactions and never inside one: a transaction that
    writes holds SQLite's only write lock (every webhook would wait for Twilio) and a PostgreSQL connection.
    """
    with job_session(read_only=True) as session:
        delivery = _prepare(session, message_id)
    if delivery is None:
        return  # already sent (a duplicated job) or gone
    outcome = _deliver(delivery) if delivery.params is not None else _Outcome(status=MessageStatus.FAILED)
    with job_session() as session:
        _record_outcome(session, message_id, outcome, utcnow())


@dataclass(frozen=True)
class _Delivery:
    """A queued message ready to go: the REST call's parameters, or None when it cannot be sent."""

    message_id: int
    params: dict[str, Any] | None


@dataclass(frozen=True)
class _Outcome:
    """What Twilio answered (or that it could not be asked)."""

    status: str
    provider_sid: str | None = None
    error_code: int | None = None


def _prepare(session: Session, message_id: int) -> _Delivery | None:
    message = session.get(Message, message_id)
    if message is None or message.direction != Direction.OUTBOUND or message.status != MessageStatus.QUEUED \
            or message.provider_sid:
        return None
    rt = runtime()
    contact = message.contact
    caller = contact.caller
    if caller is None or not can_reply(caller, utcnow()) or caller.reply_address is None:
        return _Delivery(message_id, None)
    try:
        # The only place the reply address is ever decrypted: here, at send time, inside the job.
        to = unseal(rt.keys, caller.reply_address, caller.pseudonym)
    except SealBroken:
        log.error("reply address cannot be opened", extra={"message_id": message_id})
        return _Delivery(message_id, None)
    params: dict[str, Any] = {"to": to, "from_": _sender_for(to, contact.hotline_number), "body": message.body}
    if rt.settings.public_url:
        params["status_callback"] = rt.settings.public_url.rstrip("/") + STATUS_PATH
    return _Delivery(message_id, params)


def _deliver(delivery: _Delivery) -> _Outcome:
    params = delivery.params or {}
    client = twilio_client(runtime().settings)
    try:
        sent = call_with_retries(lambda: client.messages.create(**params), retry_policy())
    except TwilioRestException as exc:
        return _Outcome(MessageStatus.FAILED, error_code=exc.code)
    except requests.RequestException:
        log.error("twilio unreachable, message not sent", extra={"message_id": delivery.message_id})
        return _Outcome(MessageStatus.FAILED)
    return _Outcome(stored_status(sent.status or MessageStatus.QUEUED), provider_sid=sent.sid)


def _record_outcome(session: Session, message_id: int, outcome: _Outcome, now: datetime) -> None:
    message = session.get(Message, message_id)
    if message is None or message.provider_sid:
        return  # erased meanwhile, or recorded by a duplicated job
    if outcome.provider_sid is not None:
        message.provider_sid = outcome.provider_sid
        _set_status(message, outcome.status, now, force=True)
        return
    caller = message.contact.caller
    if outcome.error_code is not None and caller is not None:
        _record_failure(message, caller, outcome.error_code, now)
    else:
        _set_status(message, MessageStatus.FAILED, now)


def _sender_for(to: str, hotline_number: str | None) -> str | None:
    """Reply from the number the caller wrote to, on the same channel (WhatsApp replies need ``whatsapp:``)."""
    if not hotline_number:
        return None
    number = hotline_number.removeprefix("whatsapp:")
    return f"whatsapp:{number}" if to.startswith("whatsapp:") else number


def _record_failure(message: Message, caller: Caller, code: int | None, now: datetime) -> None:
    message.error_code = code
    _set_status(message, MessageStatus.FAILED, now)
    if code == OPTED_OUT_ERROR:
        mark_opted_out(caller, now)


def mark_opted_out(caller: Caller, now: datetime) -> None:
    """The caller asked not to be texted: no more messages, and the reply address is no longer kept."""
    if not caller.opted_out:
        caller.opted_out, caller.opted_out_at = True, now
    caller.reply_address = None
    caller.reply_address_expires_at = None


def _set_status(message: Message, status: str, now: datetime, *, force: bool = False) -> None:
    if force or advances(message.status, status):
        message.status = status
        message.status_updated_at = now


def record_status(session: Session, provider_sid: str, twilio_status: str, error_code: int | None,
                  now: datetime) -> Message | None:
    """Apply a status callback idempotently and in any order: a message's status never moves backwards."""
    message = session.scalar(select(Message).where(Message.provider_sid == provider_sid))
    if message is None or message.direction != Direction.OUTBOUND:
        return None
    if advances(message.status, twilio_status):
        message.status = stored_status(twilio_status)
        message.status_updated_at = now
        if error_code:
            message.error_code = error_code
    caller = message.contact.caller
    if error_code == OPTED_OUT_ERROR and caller is not None:
        mark_opted_out(caller, now)
    session.flush()
    return message
