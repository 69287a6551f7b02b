"""What the regional feed keeps: this deployment's published weeks (frozen once published) and what peers sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class RegionPublishedWeek(Base):
    """One closed week's suppressed table as first published: every later feed serves these same rows, so no two
    feeds ever show two versions of a week (whose difference could give a hidden cell back)."""

    __tablename__ = "region_published_weeks"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, unique=True)
    rows: Mapped[list[Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    k: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionPeer(Base):
    """A deployment whose feed this one pulls: its URL, its public key, the token it issued to us (sealed)."""

    __tablename__ = "region_peers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    public_key: Mapped[str] = mapped_column(String(64))
    token_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    last_week: Mapped[date | None] = mapped_column(Date)  # the Monday of the last week stored
    last_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionPeerWeek(Base):
    """A peer's published week, as signed by it (rows in the feed's column order)."""

    __tablename__ = "region_peer_weeks"
    __table_args__ = (UniqueConstraint("peer_id", "week_start", name="uq_region_peer_weeks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("region_peers.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    rows: Mapped[list[Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionPeerRumour(Base):
    """A peer's reviewed rumour: its canonical statement and translations (staff-written, no personal data)."""

    __tablename__ = "region_peer_rumours"
    __table_args__ = (UniqueConstraint("peer_id", "remote_id", name="uq_region_peer_rumours"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("region_peers.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    statement: Mapped[str] = mapped_column(Text)
    translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    verification: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegionPeerMessage(Base):
    """A peer's approved counter-message that it marked shareable."""

    __tablename__ = "region_peer_messages"
    __table_args__ = (UniqueConstraint("peer_id", "remote_id", name="uq_region_peer_messages"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("region_peers.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[int] = mapped_column(Integer)
    remote_rumour_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    audio_url: Mapped[str | None] = mapped_column(String(512))  # the peer's approved recording (https), if any
