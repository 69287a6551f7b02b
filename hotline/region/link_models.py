"""A peer's rumour linked to a local one: suggested by matching their statements, then decided by a supervisor."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime, utcnow
from hotline.region.models import RegionPeerRumour
from hotline.rumours.models import Rumour


class LinkStatus(StrEnum):
    SUGGESTED = "suggested"  # matching found it; nothing is shown as a path until a supervisor confirms
    CONFIRMED = "confirmed"
    REJECTED = "rejected"  # kept, so the same pair is never suggested again


class RegionRumourLink(Base):
    """The same claim here and in a peer country: one row per (peer rumour, local rumour) pair ever suggested."""

    __tablename__ = "region_rumour_links"
    __table_args__ = (UniqueConstraint("peer_rumour_id", "rumour_id", name="uq_region_rumour_links"),
                      Index("ix_region_rumour_links_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_rumour_id: Mapped[int] = mapped_column(ForeignKey("region_peer_rumours.id", ondelete="CASCADE"),
                                                index=True)
    rumour_id: Mapped[int] = mapped_column(ForeignKey("rumours.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default=LinkStatus.SUGGESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    peer_rumour: Mapped[RegionPeerRumour] = relationship()
    rumour: Mapped[Rumour] = relationship()
