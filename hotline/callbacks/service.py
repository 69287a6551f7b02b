"""Call-back service: record consent, place a call-back, follow its answer and status. Flushes, never commits.

The call itself is placed by a ``Dialer`` the web layer passes in (twilio's REST client in production, a fake in
tests), after the request that decided it has committed: this package names no provider. The caller's number is
unsealed here, handed to the dialer, and never returned to the caller of the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.callbacks.models import CallbackAttempt, CallbackConsent, CallbackOutcome
from hotline.callbacks.policy import NO_NUMBER, CallbackRules, CallerStanding, is_machine, refusal
from hotline.callbacks.spoken_models import SpokenReplyAttempt
from hotline.db import after_commit
from hotline.intake.models import Caller, Contact, Report
from hotline.jobs import job_session
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.sealing import SealBroken, is_expired, unseal

log = logging.getLogger("hotline.callbacks")
_UNANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})
AttemptModel = type[CallbackAttempt] | type[SpokenReplyAttempt]  # the two kinds of outbound call


class Dialer(Protocol):
    """Places an outbound call and returns its provider id (CallSid)."""

    def __call__(self, *, to: str, from_: str, answer_url: str, status_url: str) -> str: ...


@dataclass(frozen=True)
class CallbackUrls:
    """The app's own URLs for one attempt: where Twilio asks what to say, and where it reports status."""

    answer: str
    status: str


@dataclass(frozen=True)
class CallbackContext:
    """What placing a call-back needs besides the session."""

    keys: PrivacyKeys
    rules: CallbackRules
    timezone_for: Callable[[str | None], str]  # the time zone of a hotline number
    dialer: Dialer
    urls: Callable[[int], CallbackUrls]


@dataclass(frozen=True)
class Destination:
    """Where an outbound call goes: the caller's number (it never leaves the server but to Twilio), the number
    they dialled (the call comes from it), and the language to greet them in."""

    address: str
    hotline_number: str
    language: str | None


class CallbackRefused(Exception):
    """The call-back may not be placed; ``reason`` is one of the policy's constants."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """How to answer a call-back that connected: hang up on a machine, else greet the person in ``language``."""

    machine: bool
    language: str | None
    hotline_number: str | None


def record_consent(session: Session, report_id: int, at: datetime) -> None:
    """The caller agreed to be called back about ``report_id`` (idempotent)."""
    if session.scalar(select(CallbackConsent.id).where(CallbackConsent.report_id == report_id)) is None:
        session.add(CallbackConsent(report_id=report_id, consented_at=at))
        session.flush()


def has_consent(session: Session, report_id: int) -> bool:
    """Whether the caller consented to a call-back about this report."""
    return session.scalar(select(CallbackConsent.id).where(CallbackConsent.report_id == report_id)) is not None


def attempts_of(session: Session, report_id: int) -> list[CallbackAttempt]:
    """The call-backs placed about a report, oldest first."""
    query = select(CallbackAttempt).where(CallbackAttempt.report_id == report_id).order_by(CallbackAttempt.id)
    return list(session.scalars(query))


def place_callback(session: Session, ctx: CallbackContext, report_id: int, user_id: int | None,
                   now: datetime) -> CallbackAttempt:
    """Call the caller of ``report_id`` back, or raise CallbackRefused naming why not."""
    destination = clear_to_call(session, ctx, report_id, now)
    attempt = CallbackAttempt(report_id=report_id, placed_by_id=user_id, language=destination.language,
                              placed_at=now)
    session.add(attempt)
    session.flush()
    record_event(session, f"user:{user_id}" if user_id else "system", "report.callback", "report", report_id,
                 after={"attempt": attempt.id}, actor_user_id=user_id)
    session.flush()
    dial_after_commit(session, ctx, CallbackAttempt, attempt.id, destination, now)
    return attempt


def clear_to_call(session: Session, ctx: CallbackContext, report_id: int, now: datetime) -> Destination:
    """Where a call about ``report_id`` may go now, or CallbackRefused naming why no call may be placed.

    The gate of every outbound call (call-backs and spoken replies): consent, an erased or opted-out caller, a
    number still held, the attempt limit and least gap (counting every call placed about the report), daytime in
    the time zone of the number the caller dialled."""
    report = session.get(Report, report_id)
    if report is None:
        raise CallbackRefused(NO_NUMBER)
    caller = session.get(Caller, report.caller_id) if report.caller_id is not None else None
    contact = session.get(Contact, report.contact_id)
    hotline_number = contact.hotline_number if contact is not None else None
    reason = refusal(_standing(session, report, caller, now), calls_placed(session, report_id), now,
                     ctx.timezone_for(hotline_number), ctx.rules)
    address = _address(ctx.keys, caller) if reason is None and caller is not None else None
    if reason is None and (address is None or not hotline_number):
        reason = NO_NUMBER
    if reason is not None or address is None or hotline_number is None:
        raise CallbackRefused(reason or NO_NUMBER)
    return Destination(address, hotline_number, report.language or (caller.language if caller else None))


def calls_placed(session: Session, report_id: int) -> list[datetime]:
    """When each call about a report was placed: call-backs and spoken replies count together towards the limit."""
    callbacks = select(CallbackAttempt.placed_at).where(CallbackAttempt.report_id == report_id)
    spoken = select(SpokenReplyAttempt.placed_at).where(SpokenReplyAttempt.report_id == report_id)
    return [*session.scalars(callbacks), *session.scalars(spoken)]


def dial_after_commit(session: Session, ctx: CallbackContext, model: AttemptModel, attempt_id: int,
                      destination: Destination, now: datetime) -> None:
    """Place the call once the attempt is committed (a rolled-back request calls nobody); the number stays in this
    closure, never in a job queue or a log."""
    urls = ctx.urls(attempt_id)
    after_commit(session, lambda: _dial(ctx.dialer, model, attempt_id, destination.address,
                                        destination.hotline_number, urls, now))


def _dial(dialer: Dialer, model: AttemptModel, attempt_id: int, to: str, from_: str, urls: CallbackUrls,
          now: datetime) -> None:
    try:
        call_sid: str | None = dialer(to=to, from_=from_, answer_url=urls.answer, status_url=urls.status)
    except Exception as exc:
        # Not the error's text or traceback: Twilio's messages quote the number dialled.
        log.warning("outbound call could not be placed", extra={
            "attempt_id": attempt_id, "error": type(exc).__name__, "code": getattr(exc, "code", None)})
        call_sid = None
    with job_session() as session:
        attempt = _get(session, model, attempt_id)
        if attempt is None:
            return
        if call_sid is None:
            attempt.outcome, attempt.status, attempt.ended_at = CallbackOutcome.FAILED, "failed", now
        else:
            attempt.call_sid = call_sid


def answer(session: Session, attempt_id: int, call_sid: str, answered_by: str | None, now: datetime,
           model: AttemptModel = CallbackAttempt) -> Answer:
    """Twilio asks what to say on a call-back that connected: nothing to a machine, the greeting to a person."""
    attempt = find_attempt(session, model, attempt_id, call_sid)
    if attempt is None:
        return Answer(machine=True, language=None, hotline_number=None)  # unknown: say nothing
    machine = is_machine(answered_by)
    attempt.answered_by = answered_by
    attempt.answered_at = attempt.answered_at or now
    attempt.outcome = CallbackOutcome.MACHINE if machine else CallbackOutcome.PERSON
    report = session.get(Report, attempt.report_id)
    contact = session.get(Contact, report.contact_id) if report is not None else None
    session.flush()
    return Answer(machine, attempt.language, contact.hotline_number if contact is not None else None)


def update_status(session: Session, attempt_id: int, call_sid: str, status: str, duration: int | None,
                  now: datetime, model: AttemptModel = CallbackAttempt) -> str | None:
    """A call-back's status callback: idempotent; an unanswered end is stored as such. Returns the outcome."""
    attempt = find_attempt(session, model, attempt_id, call_sid)
    if attempt is None:
        return None
    attempt.status = status
    if duration is not None:
        attempt.duration_seconds = max(duration, attempt.duration_seconds or 0)
    if status in _UNANSWERED and attempt.outcome == CallbackOutcome.PLACED:
        attempt.outcome = CallbackOutcome.UNANSWERED
    if status in _UNANSWERED or status == "completed":
        attempt.ended_at = attempt.ended_at or now
    session.flush()
    return attempt.outcome


def find_attempt(session: Session, model: AttemptModel, attempt_id: int,
                 call_sid: str) -> CallbackAttempt | SpokenReplyAttempt | None:
    """The attempt, only when Twilio's CallSid is the one it was placed as (URLs are guessable, sids are not)."""
    attempt = _get(session, model, attempt_id)
    return attempt if attempt is not None and attempt.call_sid == call_sid else None


def _get(session: Session, model: AttemptModel, attempt_id: int) -> CallbackAttempt | SpokenReplyAttempt | None:
    if model is SpokenReplyAttempt:
        return session.get(SpokenReplyAttempt, attempt_id)
    return session.get(CallbackAttempt, attempt_id)


def _standing(session: Session, report: Report, caller: Caller | None, now: datetime) -> CallerStanding:
    erased = caller is None or caller.pseudonym.startswith("erased-")
    has_number = bool(caller and caller.reply_address and not is_expired(caller.reply_address_expires_at, now))
    return CallerStanding(consented=has_consent(session, report.id), erased=erased,
                          opted_out=bool(caller and caller.opted_out), has_number=has_number)


def _address(keys: PrivacyKeys, caller: Caller) -> str | None:
    if caller.reply_address is None:
        return None
    try:
        address = unseal(keys, caller.reply_address, caller.pseudonym)
    except SealBroken:
        return None
    return None if address.startswith("whatsapp:") else address
