"""Callers, contacts, messages, recordings and reports: what came in, stored pseudonymously."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime, utcnow
from hotline.intake.constants import MessageStatus, ReportStatus, Sensitivity, Urgency
from hotline.intake.state import ContactState


class Caller(Base):
    """A person who contacted the hotline, known only by a keyed pseudonym of their number."""

    __tablename__ = "callers"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    reply_address: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What staff see ("+93 70• ••• ••67"): enough to recognise a caller, never the number. Kept and purged with the
    # reply address.
    phone_masked: Mapped[str | None] = mapped_column(String(32))
    reply_address_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heard_via: Mapped[str | None] = mapped_column(String(32))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="caller")


class Contact(Base):
    """One call, one SMS/WhatsApp conversation window, or one field visit."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_caller_last_activity", "caller_id", "channel", "last_activity_at"),
        Index("ix_contacts_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("callers.id", ondelete="SET NULL"))
    focal_point_id: Mapped[int | None] = mapped_column(ForeignKey("focal_points.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    # CallSid, the first MessageSid of a conversation, or a field submission's id: the idempotency key.
    provider_id: Mapped[str] = mapped_column(String(64), unique=True)
    hotline_number: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    ivr_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[ContactState] = mapped_column(JSON, default=dict)
    status: Mapped[str | None] = mapped_column(String(24))
    heard_via: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    caller: Mapped[Caller | None] = relationship(back_populates="contacts")
    reports: Mapped[list[Report]] = relationship(back_populates="contact", order_by="Report.id")
    messages: Mapped[list[Message]] = relationship(back_populates="contact", order_by="Message.id")
    recordings: Mapped[list[Recording]] = relationship(back_populates="contact", order_by="Recording.id")


class Message(Base):
    """One SMS or WhatsApp message, in or out."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_contact_created", "contact_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    body: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(8))
    segments: Mapped[int | None] = mapped_column(Integer)
    num_media: Mapped[int] = mapped_column(Integer, default=0)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.RECEIVED)
    error_code: Mapped[int | None] = mapped_column(Integer)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(back_populates="messages")


class Recording(Base):
    """A voice recording (question, report, voicemail) or a voice note, listened to by operators."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    media_url: Mapped[str | None] = mapped_column(String(512))
    storage_path: Mapped[str | None] = mapped_column(String(512))
    content_type: Mapped[str | None] = mapped_column(String(64))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(back_populates="recordings")


class Report(Base):
    """The unit of triage: one question, rumour, concern or request, coded against the codebook."""

    __tablename__ = "reports"
    __table_args__ = (
        # The operator queue: open items by language, urgent first, then oldest.
        Index("ix_reports_queue", "status", "language", "urgency_rank", "received_at"),
        # The trends: counts by week x place x language x channel x type x category.
        Index("ix_reports_trends", "week", "country", "language", "channel", "type", "category"),
        Index("ix_reports_received_at", "received_at"),
        Index("ix_reports_rumour", "rumour_id", "received_at"),
        Index("ix_reports_assignee", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("callers.id", ondelete="SET NULL"), index=True)
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    # The provider's id of what produced this report (MessageSid, RecordingSid, field submission id):
    # the idempotency key that makes a replayed webhook or a re-imported row create nothing new.
    source_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    week: Mapped[date] = mapped_column(Date)  # Monday of the ISO week of received_at, for the trends
    type: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(48))
    type_confidence: Mapped[float | None] = mapped_column(Float)
    category_confidence: Mapped[float | None] = mapped_column(Float)
    classifier_version: Mapped[str | None] = mapped_column(String(32))
    coded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    translation: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    sensitivity: Mapped[str] = mapped_column(String(16), default=Sensitivity.NORMAL)
    urgency: Mapped[str] = mapped_column(String(16), default=Urgency.NORMAL)
    urgency_rank: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_answered: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(16))
    people_count: Mapped[int | None] = mapped_column(Integer)  # field reports: how many people are saying it
    rumour_id: Mapped[int | None] = mapped_column(ForeignKey("rumours.id", ondelete="SET NULL"))
    rumour_match_score: Mapped[float | None] = mapped_column(Float)
    text_redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="reports")
    message: Mapped[Message | None] = relationship()
    recording: Mapped[Recording | None] = relationship()
