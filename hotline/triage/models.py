"""Protection referrals: a report escalated to a partner (UNHCR, a caseworker), chosen from the partners of a country.

A referral moves sent -> accepted -> closed; each change is an audit event ("referral.status"), which is its history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime, utcnow


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    CLOSED = "closed"


# Still waiting on the partner, or taken up and not finished: what supervision lists.
OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class ReferralPartner(Base):
    """An organisation callers can be referred to in one country: its services and how staff reach it."""

    __tablename__ = "referral_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    name: Mapped[str] = mapped_column(String(120))
    services: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProtectionReferral(Base):
    """One escalation of a report; the note is staff-written and says why, not who the caller is."""

    __tablename__ = "protection_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("referral_partners.id", ondelete="SET NULL"))
    referred_to: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.SENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
