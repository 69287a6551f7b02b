"""Structured SMS from registered focal points, inside the inbound SMS pipeline (flush only).

The SMS service asks this module first. A message that starts with a field keyword and comes from an active focal
point's number becomes a field report (channel ``field``) with its people count; a confirmation or a hint goes back
through the ordinary outbound path, after commit. Anything else returns None and stays an ordinary text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.field.models import FocalPoint
from hotline.field.reports import FieldReport
from hotline.field.service import record_field_report
from hotline.field.sms_config import FieldSmsConfig, load_field_sms_config
from hotline.field.sms_format import FieldSms, parse_field_sms
from hotline.intake.constants import Channel
from hotline.intake.inbound import Intake
from hotline.intake.models import Caller, Message
from hotline.intake.service import IntakeContext, record
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.privacy.pseudonym import pseudonym
from hotline.sms.outbound import queue_reply


@dataclass
class FieldSmsOutcome:
    """What happened to a focal point's structured message."""

    replay: bool = False
    well_formed: bool = False
    replies: list[Message] = field(default_factory=list)


def sending_focal_point(session: Session, sender: str | None, ctx: IntakeContext) -> FocalPoint | None:
    """The active focal point whose number sent this, or None."""
    try:
        address = parse_address(sender)
    except NotAPhoneNumber:
        return None
    caller_id = session.scalar(select(Caller.id).where(Caller.pseudonym == pseudonym(ctx.keys, address.e164)))
    if caller_id is None:
        return None
    return session.scalar(select(FocalPoint).where(FocalPoint.caller_id == caller_id,
                                                   FocalPoint.revoked_at.is_(None)))


def handle_field_sms(session: Session, event: Intake, ctx: IntakeContext, now: datetime,
                     config: FieldSmsConfig | None = None) -> FieldSmsOutcome | None:
    """Record a focal point's structured SMS as a field report and queue the reply; None for any other text."""
    if event.message is None:
        return None
    parsed = parse_field_sms(event.message.body, config or load_field_sms_config())
    if parsed is None:
        return None
    point = sending_focal_point(session, event.sender, ctx)
    if point is None:
        return None  # an unregistered number using the keyword: an ordinary text
    language = parsed.language or (point.languages[0] if point.languages else "en")
    cfg = config or load_field_sms_config()
    if isinstance(parsed, FieldSms):
        report = FieldReport(source_id=event.message.sid, text=parsed.text, people=parsed.people,
                             language=language)
        result = record_field_report(session, report, point, ctx, now, sender=event.sender, message=event.message,
                                     hotline_number=event.hotline_number)
    else:
        result = record(session, dataclasses.replace(event, channel=Channel.FIELD, report=None,
                                                     focal_point_id=point.id), ctx)
    if not result.created:
        return FieldSmsOutcome(replay=True)
    outcome = FieldSmsOutcome(well_formed=isinstance(parsed, FieldSms))
    if isinstance(parsed, FieldSms) and result.report is not None:
        body = cfg.reply("confirmation", language, reference=result.report.id, people=parsed.people)
    else:
        body = cfg.reply("hint", language)
    sent = queue_reply(session, result.contact, body, now=now)
    if sent is not None:
        outcome.replies.append(sent)
    return outcome
