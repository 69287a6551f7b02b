"""What the SMS channel adds to intake's tables: the inbox of webhooks waiting to be filed, flags on inbound
messages (floods), and the index that counts them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
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


class InboxItem(Base):
    """An inbound SMS/WhatsApp webhook as it arrived, sealed, until a job files it through the SMS service.

    The webhook only writes this row and answers; the job stores the message and report, picks the language,
    counts floods and queues replies, then deletes the row. The form holds the sender's number and their words, so
    it is kept sealed (AES-GCM, the spool's format) for the seconds it waits.
    """

    __tablename__ = "sms_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A webhook Twilio retries while the first delivery still waits here is stored once.
    provider_sid: Mapped[str] = mapped_column(String(34), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sealed: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The exception's class only: an error message could quote the caller's text.
    last_error: Mapped[str | None] = mapped_column(String(64))
