"""Spoken replies for callers who cannot read: keep an answer (recorded by the operator, or an approved audio
counter-message), call the caller through the call-backs' gate, play it, and follow the call. Flushes, never
commits; the call goes out after the commit, as a call-back does.

Only a report whose caller agreed to be called back gets a spoken reply: the consent the IVR asks ("may we call you
back on this number? press 1") is the call-backs' own rule, reused. A text message carries no such consent (a
texter may share the phone, or be unable to take a call safely), so an SMS report is refused until the caller
consents on the phone.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.callbacks.models import CallbackOutcome
from hotline.callbacks.policy import NO_ANSWER, NO_PROMPTS, NOT_AUDIO
from hotline.callbacks.service import (
    Answer,
    CallbackContext,
    CallbackRefused,
    answer,
    clear_to_call,
    dial_after_commit,
    find_attempt,
    update_status,
)
from hotline.callbacks.spoken_models import SpokenReply, SpokenReplyAttempt
from hotline.intake.models import Report
from hotline.rumours.models import ApprovalStatus, CounterMessage

SOURCES = ("browser", "upload")


@dataclass(frozen=True)
class PhoneWav:
    """A normalised recording (8 kHz mono 16-bit WAV), as the prompt studio's normaliser makes it."""

    wav: bytes
    duration_ms: int
    sha256: str


@dataclass(frozen=True)
class WhatToPlay:
    """What a spoken-reply call plays: our own audio (by its random key) or a counter-message's public URL."""

    audio_key: str | None
    url: str | None


def save_recording(session: Session, report: Report, user_id: int | None, audio: PhoneWav, source: str,
                   language: str | None, now: datetime) -> SpokenReply:
    """Keep the operator's recorded answer to ``report`` (the newest answer is the one a call plays); audited."""
    reply = SpokenReply(report_id=report.id, language=language, source=source if source in SOURCES else "upload",
                        audio=audio.wav, sha256=audio.sha256, duration_ms=audio.duration_ms,
                        audio_key=secrets.token_urlsafe(24)[:32], created_by_id=user_id, created_at=now)
    return _keep(session, reply, user_id)


def save_counter_message(session: Session, report: Report, user_id: int | None, message_id: int,
                         language: str | None, today: date, now: datetime) -> SpokenReply:
    """Answer with an approved counter-message that has audio, in the caller's language (else NOT_AUDIO)."""
    message = session.get(CounterMessage, message_id)
    if message is None or language is None or not playable(message, language, today):
        raise CallbackRefused(NOT_AUDIO)
    reply = SpokenReply(report_id=report.id, language=language, source="library", counter_message_id=message.id,
                        audio_key=secrets.token_urlsafe(24)[:32], created_by_id=user_id, created_at=now)
    return _keep(session, reply, user_id)


def playable(message: CounterMessage, language: str, today: date) -> bool:
    """An approved counter-message valid ``today`` in ``language`` whose audio Twilio can fetch (https)."""
    return (message.status == ApprovalStatus.APPROVED and message.language == language
            and bool(message.audio_path and message.audio_path.startswith("https://"))
            and (message.valid_from is None or message.valid_from <= today)
            and (message.valid_until is None or message.valid_until >= today))


def _keep(session: Session, reply: SpokenReply, user_id: int | None) -> SpokenReply:
    session.add(reply)
    session.flush()
    record_event(session, f"user:{user_id}" if user_id else "system", "report.spoken_reply.answer", "report",
                 reply.report_id, after={"reply": reply.id, "source": reply.source,
                                         "duration_ms": reply.duration_ms,
                                         "counter_message": reply.counter_message_id},
                 actor_user_id=user_id)
    session.flush()
    return reply


def current_reply(session: Session, report_id: int) -> SpokenReply | None:
    """The newest answer kept for a report: what the next call plays."""
    return session.scalar(select(SpokenReply).where(SpokenReply.report_id == report_id)
                          .order_by(SpokenReply.id.desc()).limit(1))


def attempts_of(session: Session, report_id: int) -> list[SpokenReplyAttempt]:
    """The spoken-reply calls placed about a report, oldest first."""
    return list(session.scalars(select(SpokenReplyAttempt).where(SpokenReplyAttempt.report_id == report_id)
                                .order_by(SpokenReplyAttempt.id)))


def place(session: Session, ctx: CallbackContext, report_id: int, user_id: int | None, now: datetime,
          prompts_ready: Callable[[str | None], bool]) -> SpokenReplyAttempt:
    """Call the caller of ``report_id`` to play its newest answer, through the call-backs' gate (consent, erased,
    opted out, daytime, attempts); CallbackRefused names why not. ``prompts_ready(language)`` says whether the
    greeting and menu can be said in that language (never an English greeting to a Dari speaker)."""
    reply = current_reply(session, report_id)
    if reply is None:
        raise CallbackRefused(NO_ANSWER)
    destination = clear_to_call(session, ctx, report_id, now)
    language = reply.language or destination.language
    if not prompts_ready(language):
        raise CallbackRefused(NO_PROMPTS)
    if reply.counter_message_id is None and reply.audio is None:
        raise CallbackRefused(NO_ANSWER)
    if reply.source == "library":
        message = session.get(CounterMessage, reply.counter_message_id) if reply.counter_message_id else None
        if message is None or language is None or not playable(message, language, now.date()):
            raise CallbackRefused(NOT_AUDIO)  # retired or expired since it was picked
    attempt = SpokenReplyAttempt(reply_id=reply.id, report_id=report_id, placed_by_id=user_id, language=language,
                                 placed_at=now)
    session.add(attempt)
    session.flush()
    record_event(session, f"user:{user_id}" if user_id else "system", "report.spoken_reply.call", "report",
                 report_id, after={"attempt": attempt.id, "reply": reply.id}, actor_user_id=user_id)
    session.flush()
    dial_after_commit(session, ctx, SpokenReplyAttempt, attempt.id, destination, now)
    return attempt


def answered(session: Session, attempt_id: int, call_sid: str, answered_by: str | None, now: datetime) -> Answer:
    """Twilio asks what to say: nothing to a machine (or an unknown call), the greeting to a person."""
    return answer(session, attempt_id, call_sid, answered_by, now, model=SpokenReplyAttempt)


def status_changed(session: Session, attempt_id: int, call_sid: str, status: str, duration: int | None,
                   now: datetime) -> str | None:
    """The call's status callback (idempotent); returns the outcome as call-backs store it."""
    return update_status(session, attempt_id, call_sid, status, duration, now, model=SpokenReplyAttempt)


def attempt_for(session: Session, attempt_id: int, call_sid: str) -> SpokenReplyAttempt | None:
    """The attempt a step belongs to, only when Twilio's CallSid is its own and a person answered it."""
    found = find_attempt(session, SpokenReplyAttempt, attempt_id, call_sid)
    if not isinstance(found, SpokenReplyAttempt) or found.outcome != CallbackOutcome.PERSON:
        return None
    return found


def what_to_play(session: Session, attempt: SpokenReplyAttempt) -> WhatToPlay | None:
    """The answer an attempt plays, or None when it is gone (erased with the report, say)."""
    reply = session.get(SpokenReply, attempt.reply_id)
    if reply is None:
        return None
    if reply.audio is not None:
        return WhatToPlay(reply.audio_key, None)
    message = session.get(CounterMessage, reply.counter_message_id) if reply.counter_message_id else None
    if message is None or not message.audio_path:
        return None
    return WhatToPlay(None, message.audio_path)


def note_step(session: Session, attempt: SpokenReplyAttempt, step: int, played: bool, now: datetime) -> None:
    """A step of the call was answered; a step answered before (Twilio retried) changes nothing."""
    if step <= attempt.step:
        return
    attempt.step = step
    if played:
        attempt.plays += 1
        attempt.played_at = attempt.played_at or now
    session.flush()


def note_question(session: Session, attempt: SpokenReplyAttempt, report_id: int | None) -> None:
    """The caller left another question after hearing the answer: it is a report of its own, linked here."""
    if report_id is not None and attempt.question_report_id is None:
        attempt.question_report_id = report_id
        session.flush()


def audio_by_key(session: Session, key: str) -> bytes | None:
    """A recorded answer's WAV by its random key (for Twilio's <Play>, behind a signed, expiring URL)."""
    return session.scalar(select(SpokenReply.audio).where(SpokenReply.audio_key == key))


def replies_of(session: Session, report_id: int) -> Sequence[SpokenReply]:
    """Every answer kept for a report, newest first."""
    return session.scalars(select(SpokenReply).where(SpokenReply.report_id == report_id)
                           .order_by(SpokenReply.id.desc())).all()
