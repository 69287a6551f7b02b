"""What supervisors watch: backlog by language and age, response times, escalations, who holds what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.intake.constants import ReportStatus
from hotline.intake.models import Report
from hotline.triage.models import OPEN_REFERRAL_STATUSES, ProtectionReferral
from hotline.triage.queue import OPEN_STATUSES
from hotline.triage.stats import ResponseTimes, backlog_table, response_times

RESPONSE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Supervision:
    """The supervision page's figures."""

    backlog: dict[str, dict[str, int]]
    response: ResponseTimes
    escalations: Sequence[ProtectionReferral]
    workload: Sequence[tuple[str, int, int]]  # (staff name, reports held, oldest held in hours)


def open_escalations(limit: int = 50) -> Select[ProtectionReferral]:
    """Referrals still waiting on a partner: open, on a report nobody has closed; newest first."""
    return (select(ProtectionReferral).join(Report, Report.id == ProtectionReferral.report_id)
            .where(ProtectionReferral.status.in_(OPEN_REFERRAL_STATUSES), Report.status != ReportStatus.CLOSED)
            .order_by(ProtectionReferral.created_at.desc(), ProtectionReferral.id.desc()).limit(limit))


def load_supervision(session: Session, now: datetime) -> Supervision:
    """Compute the figures; the heavy lifting is in SQL GROUP BYs and the pure functions of triage.stats."""
    open_rows = session.execute(select(Report.language, Report.received_at)
                                .where(Report.status.in_(OPEN_STATUSES))).all()
    since = now - timedelta(days=RESPONSE_WINDOW_DAYS)
    answered = session.execute(select(Report.received_at, Report.answered_at).where(
        Report.answered_at.is_not(None), Report.answered_at >= since)).all()
    escalations = session.scalars(open_escalations()).all()
    held = session.execute(
        select(func.coalesce(User.display_name, User.email), func.count(Report.id), func.min(Report.claimed_at))
        .join(User, User.id == Report.assignee_id).where(Report.status.in_(OPEN_STATUSES))
        .group_by(User.id, User.display_name, User.email).order_by(func.count(Report.id).desc())).all()
    workload = [(name, count, int((now - oldest).total_seconds() // 3600) if oldest else 0)
                for name, count, oldest in held]
    return Supervision(backlog=backlog_table([(lang, at) for lang, at in open_rows], now),
                       response=response_times([(r, a) for r, a in answered if a is not None]),
                       escalations=escalations, workload=workload)
