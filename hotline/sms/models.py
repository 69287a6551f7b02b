"""What the SMS channel adds to intake's tables: flags on inbound messages (floods), and the index that counts them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime, utcnow
from hotline.intake.models import Message


class FlagReason:
    """Why an inbound message was flagged (stored as short strings)."""

    CALLER_RATE = "caller_rate"
    GLOBAL_RATE = "global_rate"


class MessageFlag(Base):
    """An inbound message that arrived beyond a rate limit: stored like any other, shown flagged, never answered."""

    __tablename__ = "sms_message_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message] = relationship()


# The global flood limit counts recent inbound messages across all callers.
Index("ix_messages_created_at", Message.created_at)
