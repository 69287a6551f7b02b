"""What a focal point reports, validated and turned into an Intake for the one intake service (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from hotline.field.models import SOURCES
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundMessage, InboundRecording, InboundReport, Intake
from hotline.intake.state import ContactState

MAX_PEOPLE = 100_000
MAX_TEXT = 4000
SUBMISSION_ID = validate.Regexp(r"^[A-Za-z0-9_-]{8,40}$", error="Not a submission id.")


class SubmissionSchema(Schema):
    """One field report from the /field form or its offline outbox."""

    class Meta:
        unknown = EXCLUDE  # csrf_token and whatever a browser adds

    submission_id = fields.String(required=True, validate=SUBMISSION_ID)
    text = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    place = fields.String(load_default="", validate=validate.Length(max=200))
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    people = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=MAX_PEOPLE))
    heard_on = fields.Date(load_default=None, allow_none=True)
    language = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[a-z]{2,3}$"))


class InvalidSubmission(ValueError):
    """The report cannot be accepted; ``messages`` maps field to problems."""

    def __init__(self, messages: dict[str, Any]):
        super().__init__(str(messages))
        self.messages = messages


@dataclass(frozen=True)
class FieldReport:
    """A validated field report, from the web form, an SMS or a paper form's row."""

    source_id: str
    text: str | None
    people: int
    source: str | None = None
    place: str | None = None
    heard_on: date | None = None
    language: str | None = None
    country: str | None = None
    admin1: str | None = None
    voice_note: InboundRecording | None = None


def load_submission(form: dict[str, Any], *, has_voice_note: bool) -> dict[str, Any]:
    """Validate the form's fields; blank optional fields count as absent. Text or a voice note is required."""
    cleaned = {key: value for key, value in form.items() if not (key in ("heard_on", "language") and value == "")}
    try:
        data: dict[str, Any] = SubmissionSchema().load(cleaned)
    except ValidationError as exc:
        raise InvalidSubmission(exc.messages_dict) from None
    if not data["text"].strip() and not has_voice_note:
        raise InvalidSubmission({"text": ["Write what was heard, or add a voice note."]})
    return data


def field_intake(report: FieldReport, focal_point_id: int | None, received_at: datetime,
                 sender: str | None = None, message: InboundMessage | None = None,
                 hotline_number: str | None = None) -> Intake:
    """The Intake for one field report; its source id makes a resubmission or re-import a no-op.

    An SMS report also carries its message (stored like any text) and the number it was sent to (to reply from).
    """
    inbound = InboundReport(source_id=report.source_id, text=report.text, language=report.language,
                            country=report.country, admin1=report.admin1, people_count=report.people)
    return Intake(channel=Channel.FIELD, received_at=received_at, sender=sender, contact_key=report.source_id,
                  language=report.language, report=inbound, recording=report.voice_note,
                  focal_point_id=focal_point_id, message=message, hotline_number=hotline_number)


def visit_details(report: FieldReport) -> ContactState:
    """What the visit's Contact keeps besides the report: from whom, where and when it was heard."""
    details: ContactState = {}
    if report.source:
        details["heard_from"] = report.source
    if report.place:
        details["place"] = report.place
    if report.heard_on:
        details["heard_on"] = report.heard_on.isoformat()
    return details
