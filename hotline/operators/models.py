"""An operator's phone presence: available, busy or away, and the opaque identity of their browser softphone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class Presence(StrEnum):
    """What an operator says about themselves: only ``available`` operators are offered callers."""

    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"


def phone_binding(user_id: int) -> str:
    """The authenticated data an operator's sealed number is bound to: it cannot be moved to another operator."""
    return f"operator:{user_id}"


class OperatorPresence(Base):
    """One row per operator who has used the phone; ``seen_at`` is the last sign of life of their console."""

    __tablename__ = "operator_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=Presence.AWAY)
    # The softphone's identity in access tokens and in the TwiML App's webhook (client:<identity>): random, so
    # nothing about the operator (e-mail, row id) reaches Twilio or the browser's token.
    client_identity: Mapped[str] = mapped_column(String(32), unique=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Calls on the operator's own phone: the number sealed as callers' reply addresses are (AES-GCM, bound to
    # ``phone_binding``), its last two digits to show, and where they take calls ("browser" or "phone").
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_hint: Mapped[str | None] = mapped_column(String(2))
    answer_on: Mapped[str] = mapped_column(String(8), default="browser", server_default="browser")


class OperatorCall(Base):
    """A caller an operator took: when, after how long a wait, how long they talked, and the operator's wrap-up
    (the report coded for the call, the answer given, the outcome). Nothing here names the caller."""

    __tablename__ = "operator_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    room: Mapped[str] = mapped_column(String(40), unique=True)
    # The operator's own leg (the softphone's CallSid): the end-of-call webhook must name it.
    operator_call_sid: Mapped[str | None] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    wait_seconds: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), default="answered")
    answer_note: Mapped[str | None] = mapped_column(Text)
    wrapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(8), default="browser", server_default="browser")  # or "phone"
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # own phone: the operator pressed 1
