"""FocalPoint: a registered community member who logs what people are saying."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow
from hotline.field.credentials import NUMBER_DIGITS, new_public_number


class FocalPointKind(StrEnum):
    RELIGIOUS_LEADER = "religious_leader"
    TEACHER = "teacher"
    COMMUNITY_VOLUNTEER = "community_volunteer"
    RETURNEE = "returnee"
    HEALTH_WORKER = "health_worker"


class FocalPoint(Base):
    """A focal point; their phone is a Caller (pseudonymous), their sign-in a hashed PIN or link token."""

    __tablename__ = "focal_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the focal point types to sign in and what URLs carry: random, so ids cannot be walked or guessed.
    public_number: Mapped[str] = mapped_column(String(NUMBER_DIGITS), unique=True, default=new_public_number)
    display_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("callers.id", ondelete="SET NULL"), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    link_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Staff see only this mask; the number itself lives as the Caller's pseudonym and sealed reply address.
    phone_masked: Mapped[str | None] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every session carries the epoch it was opened in; new credentials and revocation move it on, ending them all.
    credential_epoch: Mapped[int] = mapped_column(default=0)
    # Wrong PINs since the last sign-in or new credentials, and when the last one came: they set the waiting time.
    pin_failures: Mapped[int] = mapped_column(default=0)
    pin_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


FOCAL_POINT_KINDS = tuple(kind.value for kind in FocalPointKind)


class Source(StrEnum):
    """From whom the focal point heard it."""

    AGENT_SMUGGLER = "agent_smuggler"
    RELATIVE_ABROAD = "relative_abroad"
    SOCIAL_MEDIA = "social_media"
    NEIGHBOUR = "neighbour"
    OTHER = "other"


SOURCES = tuple(source.value for source in Source)
