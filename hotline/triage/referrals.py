"""Referral partners per country (admin-managed rows) and the life of a referral: sent -> accepted -> closed.

Every change is audited; a referral's history is its audit events. Supervision flags referrals whose status has not
moved for ``stale_after`` (settings: referral_stale_days).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.intake.models import Report
from hotline.triage.access import may_open_report
from hotline.triage.models import OPEN_REFERRAL_STATUSES, ProtectionReferral, ReferralPartner, ReferralStatus

# Where a referral may go from each status.
MOVES: Mapping[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.ACCEPTED, ReferralStatus.CLOSED),
    ReferralStatus.ACCEPTED: (ReferralStatus.CLOSED,),
    ReferralStatus.CLOSED: (),
}


class ReferralRefused(Exception):
    """``reason``: not_found, forbidden or bad_move."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PartnerSchema(Schema):
    """The admin's form for a partner: a country code, a name, what they offer and how staff reach them."""

    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    services = fields.String(load_default="", validate=validate.Length(max=2000))
    contact = fields.String(load_default="", validate=validate.Length(max=200))


def _actor(user: User) -> str:
    return f"user:{user.id}"


def add_partner(session: Session, data: Mapping[str, Any], user: User, now: datetime) -> ReferralPartner:
    """A new active partner from PartnerSchema-loaded ``data`` (audited)."""
    partner = ReferralPartner(country=data["country"], name=data["name"].strip(), services=data["services"].strip(),
                              contact=data["contact"].strip(), active=True, created_at=now)
    session.add(partner)
    session.flush()
    record_event(session, _actor(user), "referral_partner.create", "referral_partner", partner.id,
                 after={"country": partner.country, "name": partner.name}, actor_user_id=user.id)
    return partner


def set_partner_active(session: Session, partner_id: int, active: bool, user: User) -> ReferralPartner:
    """Offer a partner again, or stop offering it (its past referrals keep their name)."""
    partner = session.get(ReferralPartner, partner_id)
    if partner is None:
        raise ReferralRefused("not_found")
    before = partner.active
    partner.active = active
    record_event(session, _actor(user), "referral_partner.update", "referral_partner", partner.id,
                 before={"active": before}, after={"active": active}, actor_user_id=user.id)
    session.flush()
    return partner


def all_partners(session: Session) -> Sequence[ReferralPartner]:
    """Every partner, by country then name (the admin's list)."""
    return session.scalars(select(ReferralPartner).order_by(ReferralPartner.country, ReferralPartner.name)).all()


def partners_for(session: Session, country: str | None) -> Sequence[ReferralPartner]:
    """The active partners an operator may choose for a caller in ``country`` (every country's when unknown)."""
    query = select(ReferralPartner).where(ReferralPartner.active.is_(True))
    if country:
        query = query.where(ReferralPartner.country == country.upper())
    return session.scalars(query.order_by(ReferralPartner.country, ReferralPartner.name)).all()


def active_partner(session: Session, partner_id: int) -> ReferralPartner | None:
    """The partner, if it is still offered."""
    partner = session.get(ReferralPartner, partner_id)
    return partner if partner is not None and partner.active else None


def _may_update(user: User, report: Report) -> bool:
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return True
    return report.assignee_id == user.id and may_open_report(user, report)


def set_referral_status(session: Session, referral_id: int, status: str, user: User,
                        now: datetime) -> ProtectionReferral:
    """Move a referral on (sent -> accepted -> closed; sent -> closed); the same status again is a no-op.

    Supervisors may move any referral, an operator those of reports they hold."""
    referral = session.get(ProtectionReferral, referral_id, populate_existing=True)
    report = session.get(Report, referral.report_id) if referral is not None else None
    if referral is None or report is None:
        raise ReferralRefused("not_found")
    if not _may_update(user, report):
        raise ReferralRefused("forbidden")
    if referral.status == status:
        return referral
    if status not in MOVES.get(referral.status, ()):
        raise ReferralRefused("bad_move")
    before = referral.status
    referral.status, referral.status_changed_at = status, now
    record_event(session, _actor(user), "referral.status", "protection_referral", referral.id,
                 before={"status": before}, after={"status": status, "report_id": referral.report_id},
                 actor_user_id=user.id)
    session.flush()
    return referral


def referral_history(session: Session, referral_ids: Sequence[int]) -> dict[int, list[AuditEvent]]:
    """Each referral's status changes, oldest first (from the audit log)."""
    if not referral_ids:
        return {}
    history: dict[int, list[AuditEvent]] = {rid: [] for rid in referral_ids}
    for event in session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "protection_referral", AuditEvent.entity_id.in_(referral_ids),
            AuditEvent.action.in_(("referral.status", "referral.close"))).order_by(AuditEvent.id)):
        if event.entity_id is not None:
            history[event.entity_id].append(event)
    return history


def is_stale(referral: ProtectionReferral, now: datetime, stale_after: timedelta) -> bool:
    """An open referral whose status has not moved for ``stale_after``."""
    moved = referral.status_changed_at or referral.created_at
    return referral.status in OPEN_REFERRAL_STATUSES and now - moved >= stale_after


def count_stale(session: Session, now: datetime, stale_after: timedelta) -> int:
    """How many open referrals are stale (for supervision's headline)."""
    moved = func.coalesce(ProtectionReferral.status_changed_at, ProtectionReferral.created_at)
    return session.scalar(select(func.count(ProtectionReferral.id)).where(
        ProtectionReferral.status.in_(OPEN_REFERRAL_STATUSES), moved <= now - stale_after)) or 0
