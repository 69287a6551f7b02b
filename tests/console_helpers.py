"""Helpers for the console tests: reports stored through the real intake service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.intake.constants import Sensitivity, Urgency
from hotline.intake.inbound import InboundReport
from hotline.intake.models import Report
from hotline.intake.service import record
from tests.factories import make_sms_intake, sid

_numbers = iter(range(1000, 10_000_000))


def make_report(session: Session, body: str = "Is the border open?", language: str | None = "en",
                sender: str | None = None, minutes_ago: int = 0, **fields: Any) -> Report:
    """A report from an SMS, through intake (caller pseudonymised, reply address sealed), flushed."""
    message_sid = sid("SM")
    received = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    report = InboundReport(source_id=message_sid, text=body, language=language,
                           urgency=fields.pop("urgency", Urgency.NORMAL),
                           sensitivity=fields.pop("sensitivity", Sensitivity.NORMAL))
    event = make_sms_intake(sender=sender or f"+9370{next(_numbers):07d}", body=body, message_sid=message_sid,
                            received_at=received, report=report)
    result = record(session, event, runtime(current_app).intake_context())
    assert result.report is not None
    for key, value in fields.items():
        setattr(result.report, key, value)
    session.flush()
    return result.report
