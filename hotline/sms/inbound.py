"""Twilio's inbound message form (SMS and WhatsApp) parsed with a marshmallow schema into an Intake (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundMessage, InboundReport, Intake

MAX_MEDIA = 10  # Twilio sends at most ten media items per message
_SID = validate.Regexp(r"^(SM|MM|SS)[0-9a-fA-F]{32}$", error="not a Twilio message sid")


class InboundMessageSchema(Schema):
    """The fields of Twilio's Messaging webhook we use; everything else is ignored."""

    class Meta:
        unknown = EXCLUDE

    MessageSid = fields.String(required=True, validate=_SID)
    From = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    To = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    Body = fields.String(load_default="")
    ProfileName = fields.String(load_default=None, allow_none=True)
    WaId = fields.String(load_default=None, allow_none=True)
    media = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), load_default=list)

    @pre_load
    def collect(self, form: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        """Twilio's ``SmsSid`` is the older name of ``MessageSid``; media come as MediaUrlN/MediaContentTypeN."""
        data = {key: form[key] for key in form if key in self.fields}
        if not data.get("MessageSid") and form.get("SmsSid"):
            data["MessageSid"] = form["SmsSid"]
        data["media"] = _media(form)
        return data


def _media(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The media items present, whatever NumMedia claims (it is only a hint; a missing item is skipped)."""
    items = []
    for index in range(MAX_MEDIA):
        url = form.get(f"MediaUrl{index}")
        if url and str(url).startswith(("https://", "http://")):
            items.append({"url": str(url)[:512],
                          "content_type": str(form.get(f"MediaContentType{index}") or "")[:64]})
    return items


class InvalidMessage(ValueError):
    """Twilio's form lacks what identifies the message; the messages say which field."""

    def __init__(self, messages: Any):
        super().__init__(str(messages))
        self.messages = messages


def channel_of(sender: str | None) -> Channel:
    """WhatsApp senders are ``whatsapp:+…``; everything else is SMS."""
    return Channel.WHATSAPP if (sender or "").lower().startswith("whatsapp:") else Channel.SMS


_SCHEMA = InboundMessageSchema()  # a schema holds no state between loads, and building one costs more than a load


def load_inbound(form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of Twilio's form that ``InboundMessageSchema`` keeps; raises InvalidMessage naming the fields."""
    try:
        data: dict[str, Any] = _SCHEMA.load(form)
    except ValidationError as exc:
        raise InvalidMessage(exc.messages) from None
    return data


def parse_inbound(form: Mapping[str, Any], received_at: datetime, *, with_report: bool = True) -> Intake:
    """Turn Twilio's form into an Intake carrying the message and (unless a keyword) one uncoded report."""
    data = load_inbound(form)
    sid = data["MessageSid"]
    body = data["Body"]
    sender = data["From"]
    if not sender and data["WaId"]:
        sender = f"whatsapp:+{data['WaId'].lstrip('+')}"
    media = tuple(data["media"])
    report = InboundReport(source_id=sid, text=body) if with_report and (body.strip() or media) else None
    return Intake(
        channel=channel_of(sender), received_at=received_at, sender=sender, hotline_number=data["To"],
        message=InboundMessage(sid=sid, body=body, media=media), report=report,
        # ProfileName is a name the caller chose; it is kept only for this request, never stored.
        extra={"profile_name": data["ProfileName"]} if data["ProfileName"] else {},
    )


class StatusCallbackSchema(Schema):
    """Twilio's message status callback."""

    class Meta:
        unknown = EXCLUDE

    MessageSid = fields.String(required=True, validate=validate.Regexp(r"^(SM|MM)[0-9a-fA-F]{32}$"))
    MessageStatus = fields.String(required=True, validate=validate.Length(min=1, max=16))
    ErrorCode = fields.Integer(load_default=None, allow_none=True)
