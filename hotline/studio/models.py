"""PromptRecording (every version of a recorded prompt) and ReviewedText (native speakers' edits of drafts).

The audio itself is stored in the database: every web host sees it at once (no shared disk needed), and
`hotline backup` carries it with everything else.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class RecordingStatus(StrEnum):
    DRAFT = "draft"  # recorded, waiting for a second person
    APPROVED = "approved"  # the version callers hear (at most one per language and prompt)
    SUPERSEDED = "superseded"  # was approved; a later approval or a roll-back replaced it
    REJECTED = "rejected"


class PromptRecording(Base):
    """One version of one prompt in one language, normalised for the phone line (8 kHz mono WAV)."""

    __tablename__ = "prompt_recordings"
    __table_args__ = (
        UniqueConstraint("language", "prompt", "version", name="uq_prompt_recordings_version"),
        Index("ix_prompt_recordings_status", "status", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    prompt: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=RecordingStatus.DRAFT)
    source: Mapped[str] = mapped_column(String(16))  # browser, upload, phone, pack
    audio: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    duration_ms: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewedText(Base):
    """A native speaker's version of one catalogue entry; the newest row of an entry is the one in force."""

    __tablename__ = "reviewed_texts"
    __table_args__ = (Index("ix_reviewed_texts_entry", "domain", "language", "context", "msgid_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(16))  # ivr, sms, messages
    language: Mapped[str] = mapped_column(String(8))
    context: Mapped[str] = mapped_column(String(64), default="")  # msgctxt (the prompt id in ``ivr``)
    msgid: Mapped[str] = mapped_column(Text)
    msgid_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
