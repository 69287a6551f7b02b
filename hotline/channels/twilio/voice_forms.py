"""Marshmallow schemas of Twilio's voice webhook forms: only what the IVR uses, everything else ignored."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

CALL_SID = validate.Regexp(r"^CA[0-9a-f]{32}$", error="not a CallSid")
RECORDING_SID = validate.Regexp(r"^RE[0-9a-f]{32}$", error="not a RecordingSid")
QUEUE_SID = validate.Regexp(r"^QU[0-9a-f]{32}$", error="not a QueueSid")
NODE_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="not a flow node")
CALL_STATUSES = ("queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer",
                 "canceled")
_ADDRESS = validate.Length(max=64)
_MAX_DIGITS = 32


class _TwilioForm(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def blank_is_missing(self, data: Any, **_: Any) -> Any:
        """Twilio sends empty strings for absent values: treat them as missing. Only the declared fields are read:
        Twilio's forms carry twenty-odd more, which ``EXCLUDE`` would drop anyway."""
        if hasattr(data, "items"):
            wanted = (field.data_key or name for name, field in self.load_fields.items())
            return {key: data[key] for key in wanted if key in data and data[key] != ""}
        return data


class CallForm(_TwilioForm):
    """Fields every voice webhook carries."""

    CallSid = fields.String(required=True, validate=CALL_SID)
    From = fields.String(load_default=None, validate=_ADDRESS)
    To = fields.String(load_default=None, validate=_ADDRESS)


class StepForm(CallForm):
    """A Gather, Record or Enqueue action. Digits is kept as text: a bad key is re-prompted, never refused."""

    Digits = fields.Function(deserialize=lambda value: str(value)[:_MAX_DIGITS], load_default=None)
    RecordingSid = fields.String(load_default=None, validate=RECORDING_SID)
    RecordingUrl = fields.URL(load_default=None, schemes={"http", "https"}, require_tld=False,
                              validate=validate.Length(max=512))
    RecordingDuration = fields.Integer(load_default=None, validate=validate.Range(min=-1, max=86400))
    QueueResult = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z-]{1,32}$"))
    QueueTime = fields.Integer(load_default=None, validate=validate.Range(min=0, max=7 * 86400))


class StepQuery(Schema):
    """The app's own query parameters on an action URL: which node and which step it answers."""

    class Meta:
        unknown = EXCLUDE

    node = fields.String(required=True, validate=NODE_ID)
    n = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))


class RecordingForm(CallForm):
    """A recording status callback."""

    RecordingSid = fields.String(required=True, validate=RECORDING_SID)
    RecordingUrl = fields.URL(load_default=None, schemes={"http", "https"}, require_tld=False,
                              validate=validate.Length(max=512))
    RecordingDuration = fields.Integer(load_default=None, validate=validate.Range(min=-1, max=86400))
    RecordingStatus = fields.String(load_default=None, validate=validate.Length(max=32))


class StatusForm(CallForm):
    """A call status callback."""

    CallStatus = fields.String(required=True, validate=validate.OneOf(CALL_STATUSES))
    CallDuration = fields.Integer(load_default=None, validate=validate.Range(min=0, max=7 * 86400))


class HoldForm(CallForm):
    """The queue's wait URL request."""

    QueueTime = fields.Integer(load_default=0, validate=validate.Range(min=0, max=7 * 86400))
    QueuePosition = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100000))
    QueueSid = fields.String(load_default=None, validate=QUEUE_SID)
