"""A caller's consent to be called back, and each call-back attempt with its outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class CallbackOutcome:
    """How an attempt ended (named constants, stored as strings)."""

    PLACED = "placed"        # handed to Twilio, not answered yet
    PERSON = "person"        # a person answered and heard the greeting
    MACHINE = "machine"      # a machine answered: hung up, nothing said
    UNANSWERED = "unanswered"  # busy, no answer, failed or cancelled
    FAILED = "failed"        # Twilio refused the call


class CallbackConsent(Base):
    """A caller pressed 1 to "may we call you back on this number?" while filing ``report_id``."""

    __tablename__ = "callback_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), unique=True)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CallbackAttempt(Base):
    """One call placed back to a caller: who placed it, when, how Twilio and the callee answered."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    answered_by: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), default=CallbackOutcome.PLACED)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
