"""Instant answers: a message matching a reviewed rumour, above a threshold, gets the approved counter-message.

The matcher is a callable the app installs (the classifier's, through ``hotline.sms.runtime``); until then nothing
matches.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.intake.constants import Sensitivity, Urgency
from hotline.intake.models import Message, Report
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.matching import RumourMatch
from hotline.sms.outbound import queue_reply

DEFAULT_THRESHOLD = 0.85


def no_match(report: Report) -> RumourMatch | None:
    """The default matcher until the classifier exists: nothing matches."""
    return None


def eligible(report: Report) -> bool:
    """Never answer automatically what is urgent or protection-sensitive: a person must read it first."""
    return report.urgency == Urgency.NORMAL and report.sensitivity == Sensitivity.NORMAL


def answer_instantly(session: Session, report: Report, match: RumourMatch | None, *, language: str | None,
                     now: datetime, threshold: float = DEFAULT_THRESHOLD) -> Message | None:
    """Send the approved counter-message for ``match`` in ``language`` and mark the report auto-answered.

    Nothing happens below the threshold, for urgent or protection-sensitive reports, without an approved message
    in the caller's language, or when the caller cannot be replied to. The report stays in the operators' queue.
    """
    if match is None or match.confidence < threshold or not language or not eligible(report):
        return None
    messages = approved_counter_messages(session, language, now.date(), rumour_id=match.rumour_id, limit=1)
    if not messages:
        return None
    sent = queue_reply(session, report.contact, messages[0].body, now=now)
    if sent is None:
        return None
    report.rumour_id = report.rumour_id or match.rumour_id
    report.rumour_match_score = match.confidence
    report.auto_answered = True
    session.flush()
    return sent
