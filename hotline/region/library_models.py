"""What the regional library keeps: which peers' messages were adopted here, which were adopted by peers (as
their feeds say), and campaign evaluations, ours frozen once published and peers' as received."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class RegionAdoption(Base):
    """A local counter-message adopted from a peer's shareable one. The source is named by its public key (the
    one name every deployment gives it alike) and its own message id, so the adoption can be shared."""

    __tablename__ = "region_adoptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("counter_messages.id", ondelete="CASCADE"), unique=True)
    peer_id: Mapped[int | None] = mapped_column(ForeignKey("region_peers.id", ondelete="SET NULL"), index=True)
    source_key: Mapped[str] = mapped_column(String(64))
    remote_message_id: Mapped[int] = mapped_column(Integer)
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionPeerAdoption(Base):
    """A peer's adoption of a message (its source's key and message id), as the peer's feed published it."""

    __tablename__ = "region_peer_adoptions"
    __table_args__ = (UniqueConstraint("peer_id", "source_key", "remote_message_id",
                                       name="uq_region_peer_adoptions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("region_peers.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(64), index=True)
    remote_message_id: Mapped[int] = mapped_column(Integer)


class RegionPublishedEvaluation(Base):
    """A campaign's evaluation as first published at one stage ("ended", then "complete" once the weeks after
    have closed): stored once, so no two feeds show two counts whose difference is a small cell."""

    __tablename__ = "region_published_evaluations"
    __table_args__ = (UniqueConstraint("campaign_id", "stage", name="uq_region_published_evaluations"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionPeerEvaluation(Base):
    """A peer's published campaign evaluation (suppressed figures only)."""

    __tablename__ = "region_peer_evaluations"
    __table_args__ = (UniqueConstraint("peer_id", "remote_id", name="uq_region_peer_evaluations"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("region_peers.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16))
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
