"""What an operator does to one report: code, translate, link a rumour, reply, answer, escalate, close.

Each function flushes and audits, never commits (the request does, once). Audit entries carry coded fields and ids,
never caller text: a translation or a reply is recorded by its length, not its words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.content.taxonomy import Taxonomy
from hotline.intake.constants import URGENCY_RANK, ReportStatus, Sensitivity, Urgency
from hotline.intake.models import Message, Report
from hotline.rumours.models import CounterMessage, Rumour
from hotline.sms.outbound import queue_reply
from hotline.triage.access import may_open_report
from hotline.triage.models import ProtectionReferral, ReferralStatus
from hotline.triage.queue import OPEN_STATUSES, ClaimRefused, ReportHidden, claim
from hotline.triage.referrals import ReferralRefused, active_partner, set_referral_status

MAX_REPLY_CHARS = 1600  # Twilio's limit for one message body
MAX_NOTE_CHARS = 4000


class ActionRefused(Exception):
    """The action cannot be done; ``reason`` is a short machine code the view turns into a sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _actor(user: User) -> str:
    return f"user:{user.id}"


def _audit(session: Session, user: User, action: str, report: Report, before: Mapping[str, object],
           after: Mapping[str, object]) -> None:
    record_event(session, _actor(user), action, "report", report.id, before=dict(before), after=dict(after),
                 actor_user_id=user.id)


def may_act(report: Report, user: User) -> bool:
    """The holder of a report acts on it; supervisors (and admins) may act on any report."""
    return report.assignee_id == user.id or user.role in (Role.SUPERVISOR, Role.ADMIN)


def load_for_action(session: Session, report_id: int, user: User, now: datetime | None = None) -> Report:
    """The report, if ``user`` may act on it now; ActionRefused('not_found'|'not_holder') otherwise.

    With ``now``, the first action on an open report nobody holds claims it for ``user`` (one conditional UPDATE, so
    of two operators acting at once exactly one gets it; the other is told someone else holds it)."""
    # populate_existing: the holder may have changed by a conditional UPDATE since this session last read it.
    report = session.get(Report, report_id, populate_existing=True)
    if report is None or not may_open_report(user, report):
        raise ActionRefused("not_found")
    if now is not None and report.assignee_id is None and report.status in OPEN_STATUSES:
        try:
            claim(session, report_id, user, now)
        except (ClaimRefused, ReportHidden):
            raise ActionRefused("not_holder") from None
        session.refresh(report)
    if not may_act(report, user):
        raise ActionRefused("not_holder")
    return report


@dataclass(frozen=True)
class Coding:
    """A type -> category -> code triple from the codebook, with an urgency."""

    type: str | None
    category: str | None
    code: str | None
    urgency: str | None = None


def code_report(session: Session, report: Report, user: User, coding: Coding, taxonomy: Taxonomy) -> None:
    """Set the report's coding (accepting or overriding the suggestion); a person's coding is final."""
    if not taxonomy.is_valid_coding(coding.type, coding.category, coding.code):
        raise ActionRefused("invalid_coding")
    before = {"type": report.type, "category": report.category, "code": report.code, "urgency": report.urgency,
              "coded_by_id": report.coded_by_id}
    report.type, report.category, report.code = coding.type, coding.category, coding.code
    if coding.urgency is not None:
        urgency = Urgency(coding.urgency)
        report.urgency, report.urgency_rank = urgency, URGENCY_RANK[urgency]
    report.coded_by_id = user.id
    after = {"type": report.type, "category": report.category, "code": report.code, "urgency": report.urgency,
             "coded_by_id": user.id}
    _audit(session, user, "report.code", report, before, after)
    session.flush()


def translate(session: Session, report: Report, user: User, translation: str) -> None:
    """Store the operator's translation (audited by length only)."""
    text = translation.strip() or None
    before = {"translation_chars": len(report.translation or "")}
    report.translation = text
    _audit(session, user, "report.translate", report, before, {"translation_chars": len(text or "")})
    session.flush()


def _recount(session: Session, rumour_id: int | None) -> None:
    if rumour_id is None:
        return
    rumour = session.get(Rumour, rumour_id)
    if rumour is not None:
        rumour.report_count = session.scalar(select(func.count(Report.id)).where(Report.rumour_id == rumour_id)) or 0
        rumour.last_seen_at = session.scalar(select(func.max(Report.received_at)).where(Report.rumour_id == rumour_id))


def link_rumour(session: Session, report: Report, user: User, rumour_id: int | None) -> None:
    """Link the report to a rumour (None unlinks); both rumours' counts are recounted from their reports."""
    if rumour_id is not None:
        rumour = session.get(Rumour, rumour_id)
        if rumour is None or rumour.merged_into_id is not None:
            raise ActionRefused("no_rumour")
    previous = report.rumour_id
    report.rumour_id, report.rumour_match_score = rumour_id, (1.0 if rumour_id is not None else None)
    session.flush()
    _recount(session, previous)
    _recount(session, rumour_id)
    _audit(session, user, "report.link_rumour", report, {"rumour_id": previous}, {"rumour_id": rumour_id})
    session.flush()


def reply(session: Session, report: Report, user: User, body: str, counter_message_id: int | None,
          now: datetime, *, answered: bool = False) -> Message:
    """Queue an SMS reply to the caller (sent by a job after the commit); with ``answered``, the report is then
    marked answered in the same transaction ("send and mark answered")."""
    text = body.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ActionRefused("bad_reply")
    if counter_message_id is not None and session.get(CounterMessage, counter_message_id) is None:
        raise ActionRefused("bad_reply")
    message = queue_reply(session, report.contact, text, sent_by_id=user.id, now=now)
    if message is None:
        raise ActionRefused("cannot_reply")
    _audit(session, user, "report.reply", report, {}, {
        "message_id": message.id, "counter_message_id": counter_message_id, "encoding": message.encoding,
        "segments": message.segments, "chars": len(text)})
    if answered:
        mark_answered(session, report, user, now)
    return message


def _set_status(session: Session, report: Report, user: User, status: ReportStatus, now: datetime,
                action: str, extra: dict[str, object] | None = None) -> None:
    before = {"status": report.status}
    report.status = status
    if status == ReportStatus.ANSWERED:
        report.answered_at = report.answered_at or now
    if status == ReportStatus.CLOSED:
        report.closed_at = now
    _audit(session, user, action, report, before, {"status": status.value, **(extra or {})})
    session.flush()


def mark_answered(session: Session, report: Report, user: User, now: datetime) -> None:
    """The caller has had their answer."""
    _set_status(session, report, user, ReportStatus.ANSWERED, now, "report.answer")


def needs_close_confirmation(report: Report) -> bool:
    """An escalated protection case is closed only when the operator confirms the partner has it in hand."""
    return report.status == ReportStatus.ESCALATED and report.sensitivity == Sensitivity.PROTECTION


def close(session: Session, report: Report, user: User, now: datetime, *, confirmed: bool = False) -> None:
    """Nothing more to do; ActionRefused('confirm_close') for an escalated protection case not ``confirmed``."""
    if needs_close_confirmation(report) and not confirmed:
        raise ActionRefused("confirm_close")
    _set_status(session, report, user, ReportStatus.CLOSED, now, "report.close")


def escalate(session: Session, report: Report, user: User, referred_to: str, note: str, now: datetime,
             partner_id: int | None = None) -> None:
    """Refer the caller to a protection partner (chosen from the country's list, or named): a ProtectionReferral,
    sent, and the report escalated."""
    partner = active_partner(session, partner_id) if partner_id is not None else None
    if partner_id is not None and partner is None:
        raise ActionRefused("bad_referral")
    name = partner.name if partner is not None else referred_to.strip()
    if not name or len(name) > 120 or len(note) > MAX_NOTE_CHARS:
        raise ActionRefused("bad_referral")
    referral = ProtectionReferral(report_id=report.id, referred_by_id=user.id, referred_to=name,
                                  partner_id=partner.id if partner is not None else None,
                                  note=note.strip() or None, status=ReferralStatus.SENT, created_at=now)
    session.add(referral)
    session.flush()
    _set_status(session, report, user, ReportStatus.ESCALATED, now, "report.escalate", {"referral_id": referral.id})


def close_referral(session: Session, referral_id: int, user: User, now: datetime) -> ProtectionReferral:
    """A supervisor records that the referral is done (audited; closing twice is a no-op).

    ActionRefused('not_found') for an unknown referral, ('forbidden') for anyone but a supervisor or admin.
    """
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise ActionRefused("forbidden")
    try:
        return set_referral_status(session, referral_id, ReferralStatus.CLOSED, user, now)
    except ReferralRefused as refused:
        raise ActionRefused(refused.reason) from None
