"""Spoken replies: an answer recorded for a caller who cannot read (or an approved audio counter-message), and each
call placed to play it, with how far it got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.callbacks.models import CallbackOutcome
from hotline.db import Base, UTCDateTime, utcnow


class SpokenReply(Base):
    """One answer to a report, to be played on the phone: the operator's recording (normalised 8 kHz WAV, kept in
    the database as the studio's recordings are) or an approved counter-message's audio (``counter_message_id``)."""

    __tablename__ = "spoken_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))  # browser, upload, library
    audio: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    counter_message_id: Mapped[int | None] = mapped_column(ForeignKey("counter_messages.id", ondelete="SET NULL"))
    # Random, unique: the only thing the signed audio URL Twilio fetches carries (never a caller, never a row id).
    audio_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpokenReplyAttempt(Base):
    """One call placed to play a spoken reply: Twilio's status, who answered, how often the answer was played."""

    __tablename__ = "spoken_reply_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("spoken_replies.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # Twilio's CallStatus
    answered_by: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), default=CallbackOutcome.PLACED)  # as call-backs'
    plays: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)  # the last step of the call answered (replays count once)
    question_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    played_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
