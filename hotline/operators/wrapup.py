"""During and after a live call: the call an operator is on, the report for it, the caller's pseudonymous history,
the end of the operator's leg (talk time) and the operator's wrap-up (answer given, outcome).

Takes a Session, flushes, never commits. Nothing returned here names the caller: reports and contacts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundReport, Intake
from hotline.intake.models import Contact, Report
from hotline.intake.service import IntakeContext, record
from hotline.intake.state import CallInfo
from hotline.operators.models import OperatorCall
from hotline.operators.routing import ABANDONED, ANSWERED, VOICEMAIL

OUTCOMES = (ANSWERED, ABANDONED, VOICEMAIL)
# A call the operator has not wrapped up within this time is no longer "the call they are on".
CURRENT_FOR = timedelta(hours=4)
HISTORY_LIMIT = 20
MAX_ANSWER_CHARS = 4000
LIVE_SOURCE_PREFIX = "live:"


def current_call(session: Session, operator: User, now: datetime) -> OperatorCall | None:
    """The operator's newest call not yet wrapped up (taken within ``CURRENT_FOR``), or None."""
    return session.scalar(select(OperatorCall)
                          .where(OperatorCall.operator_id == operator.id, OperatorCall.wrapped_at.is_(None),
                                 OperatorCall.taken_at >= now - CURRENT_FOR)
                          .order_by(OperatorCall.taken_at.desc(), OperatorCall.id.desc()).limit(1))


def call_of(session: Session, call_id: int, operator: User) -> OperatorCall | None:
    """The call ``call_id`` when ``operator`` took it; None otherwise (another's call is as a missing one)."""
    call = session.get(OperatorCall, call_id)
    return call if call is not None and call.operator_id == operator.id else None


def report_for_call(session: Session, call: OperatorCall, intake: IntakeContext, now: datetime) -> Report:
    """The report this call is coded on: the one already linked, else the newest the call itself filed (a request,
    a recording), else a new one filed through intake (idempotent on the call's id)."""
    if call.report_id is not None:
        linked = session.get(Report, call.report_id)
        if linked is not None:
            return linked
    contact = session.get(Contact, call.contact_id)
    if contact is None:  # pragma: no cover - the call's contact cascades with it
        raise LookupError(call.contact_id)
    report = session.scalar(select(Report).where(Report.contact_id == contact.id)
                            .order_by(Report.id.desc()).limit(1))
    if report is None:
        source_id = f"{LIVE_SOURCE_PREFIX}{contact.provider_id}"[:64]
        event = Intake(channel=Channel.VOICE, received_at=now, sender=None, contact_key=contact.provider_id,
                       hotline_number=contact.hotline_number, language=contact.language,
                       report=InboundReport(source_id=source_id, type="question", language=contact.language))
        result = record(session, event, intake)
        report = result.report or session.scalar(select(Report).where(Report.source_id == source_id))
        if report is None:  # pragma: no cover - intake always files a report it is given
            raise LookupError(source_id)
        if report.caller_id is None:
            report.caller_id = contact.caller_id
    call.report_id = report.id
    session.flush()
    return report


def caller_history(session: Session, report: Report, limit: int = HISTORY_LIMIT) -> Sequence[Report]:
    """The caller's other reports, newest first (pseudonymous: linked by the caller row, never by number). The
    console keeps only those the operator may open."""
    if report.caller_id is None:
        return []
    return session.scalars(select(Report).where(Report.caller_id == report.caller_id, Report.id != report.id)
                           .order_by(Report.received_at.desc()).limit(limit)).all()


def end_operator_leg(session: Session, call_id: int, operator_call_sid: str, now: datetime) -> bool:
    """The operator's leg ended (their <Dial>'s action): store when and the talk time. False, changing nothing,
    when the webhook names another leg than the one that took the call."""
    call = session.get(OperatorCall, call_id, with_for_update=True)
    if call is None or not call.operator_call_sid or call.operator_call_sid != operator_call_sid:
        return False
    if call.ended_at is None:
        call.ended_at = now
        call.talk_seconds = max(0, int((now - call.taken_at).total_seconds()))
        session.flush()
    return True


def wrap_up(session: Session, call: OperatorCall, outcome: str, answer: str | None, now: datetime) -> None:
    """The operator's notes on the call: the answer they gave and how the call ended. An outcome other than
    "answered" (the caller was gone when the operator came on) corrects the wait's outcome the figures count."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    call.outcome = outcome
    call.answer_note = (answer or "").strip()[:MAX_ANSWER_CHARS] or None
    call.wrapped_at = now
    if call.ended_at is None:
        call.ended_at = now
        call.talk_seconds = max(0, int((now - call.taken_at).total_seconds()))
    contact = session.get(Contact, call.contact_id)
    if contact is not None:
        info: CallInfo = {**contact.state.get("call", {})}
        queue = dict(info.get("queue") or {})
        if queue.get("outcome") != outcome:
            info["queue"] = {**queue, "outcome": outcome}
            contact.state = {**contact.state, "call": info}
    session.flush()
