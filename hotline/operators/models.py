"""An operator's phone presence: available, busy or away, and the opaque identity of their browser softphone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class Presence(StrEnum):
    """What an operator says about themselves: only ``available`` operators are offered callers."""

    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"


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
