"""What a channel hands to intake: plain, immutable values parsed from the provider's request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hotline.intake.constants import URGENCY_RANK, Channel, Sensitivity, Urgency


@dataclass(frozen=True)
class InboundMessage:
    """An inbound SMS or WhatsApp message."""

    sid: str
    body: str | None
    media: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class InboundRecording:
    """A voice recording or voice note, referenced by the provider's id and URL."""

    sid: str
    purpose: str
    media_url: str | None = None
    content_type: str | None = None
    duration_seconds: int | None = None


@dataclass(frozen=True)
class InboundReport:
    """A report to be triaged; ``source_id`` is its idempotency key (MessageSid, RecordingSid, submission id)."""

    source_id: str
    text: str | None = None
    type: str | None = None
    category: str | None = None
    code: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    urgency: Urgency = Urgency.NORMAL
    sensitivity: Sensitivity = Sensitivity.NORMAL
    country: str | None = None
    admin1: str | None = None
    people_count: int | None = None


@dataclass(frozen=True)
class Intake:
    """One inbound event from any channel.

    ``contact_key`` is the CallSid of a call or the id of a field visit; None for SMS and WhatsApp, whose
    messages are grouped into a conversation Contact by time window.
    """

    channel: Channel
    received_at: datetime
    sender: str | None
    contact_key: str | None = None
    hotline_number: str | None = None
    language: str | None = None
    message: InboundMessage | None = None
    recording: InboundRecording | None = None
    report: InboundReport | None = None
    heard_via: str | None = None
    focal_point_id: int | None = None
    ivr_step: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        """The provider id that identifies this event; a replay carries the same one."""
        for key in (
            self.message and self.message.sid,
            self.report and self.report.source_id,
            self.recording and self.recording.sid,
            self.contact_key,
        ):
            if key:
                return key
        raise ValueError("an intake event needs a provider id")


def iso_week_start(moment: datetime) -> date:
    """The Monday of the ISO week that ``moment`` falls in (UTC)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def urgency_rank(urgency: str) -> int:
    """Sort key for the queue: immediate first."""
    return URGENCY_RANK.get(Urgency(urgency), 2)


def clean_text(text: str | None) -> str | None:
    """Caller text as stored: NULs (which PostgreSQL refuses) replaced, otherwise untouched; empty -> None."""
    if text is None:
        return None
    text = text.replace("\x00", "\ufffd")
    return text if text.strip() else None
