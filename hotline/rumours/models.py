"""Rumour (one claim across channels and languages) and CounterMessage (the message library)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime, utcnow


class RumourStatus(StrEnum):
    CANDIDATE = "candidate"  # grouped automatically, awaiting staff review
    REVIEWED = "reviewed"
    ARCHIVED = "archived"


class Verification(StrEnum):
    UNVERIFIED = "unverified"
    FALSE = "false"
    MISLEADING = "misleading"
    PARTLY_TRUE = "partly_true"
    TRUE = "true"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ApprovalStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


class Rumour(Base):
    """One claim as it circulates; the canonical statement is staff-written and holds no personal data, except a
    candidate's, made from a caller's words (``source_report_id``) until staff review it."""

    __tablename__ = "rumours"
    __table_args__ = (Index("ix_rumours_status_category", "status", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_statement: Mapped[str] = mapped_column(Text)
    statement_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    category: Mapped[str] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), default=RumourStatus.CANDIDATE)
    verification: Mapped[str] = mapped_column(String(16), default=Verification.UNVERIFIED)
    risk: Mapped[str] = mapped_column(String(8), default=Risk.MEDIUM)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    monitoring_outcome: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("rumours.id", ondelete="SET NULL"))
    # A candidate made from a report's (redacted) words remembers that report until staff review it: retention and
    # erasure clear the statement with the report's text. No foreign key: reports already reference rumours.
    source_report_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    counter_messages: Mapped[list[CounterMessage]] = relationship(back_populates="rumour")


class CounterMessage(Base):
    """A counter-message in one language, for a rumour or a whole category; used only once approved."""

    __tablename__ = "counter_messages"
    __table_args__ = (Index("ix_counter_messages_lookup", "status", "language", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rumour_id: Mapped[int | None] = mapped_column(ForeignKey("rumours.id", ondelete="SET NULL"), index=True)
    category: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))  # who says so: messages name their sources
    audio_path: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default=ApprovalStatus.DRAFT)
    # Offered to peer deployments in the regional feed (once approved): a supervisor's choice per message.
    shareable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rumour: Mapped[Rumour | None] = relationship(back_populates="counter_messages")
