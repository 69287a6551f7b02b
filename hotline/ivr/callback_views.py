"""The call-back's own Twilio webhooks (signed): what to say when a call-back connects, and its status.

A machine (or fax) that answers gets an empty hang-up: a shared phone must never hear the hotline's name. A person
hears the neutral call-back greeting in their language and enters the call flow at its call-back node.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, url_for
from marshmallow import ValidationError, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from hotline.callbacks import service as callbacks
from hotline.callbacks.models import CallbackOutcome
from hotline.callbacks.service import CallbackUrls
from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import CALL_STATUSES, CallForm
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr import service as voice_service
from hotline.ivr.views import _context as voice_context

bp = Blueprint("callback_voice", __name__)


class AnswerForm(CallForm):
    """Twilio's request for TwiML on an outbound call, with the answering-machine verdict."""

    AnsweredBy = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z_]{1,32}$"))


class CallbackStatusForm(CallForm):
    """A call-back's status callback."""

    CallStatus = fields.String(required=True, validate=validate.OneOf(CALL_STATUSES))
    CallDuration = fields.Integer(load_default=None, validate=validate.Range(min=0, max=7 * 86400))


_ANSWER_FORM, _STATUS_FORM = AnswerForm(), CallbackStatusForm()


def callback_urls(attempt_id: int) -> CallbackUrls:
    """Absolute URLs of an attempt's webhooks, on the public base when one is configured."""
    base = (runtime().settings.public_url or request.host_url).rstrip("/")
    return CallbackUrls(answer=base + url_for("callback_voice.answer", attempt_id=attempt_id),
                        status=base + url_for("callback_voice.status", attempt_id=attempt_id))


@bp.post("/twilio/voice/callback/<int:attempt_id>/answer")
@twilio_webhook
def answer(attempt_id: int) -> Response:
    """The call-back connected: nothing for a machine, the greeting for a person."""
    form = _load(_ANSWER_FORM, request.form)
    if form is None:
        return _twiml(_hang_up())
    session, now = db.session(), utcnow()
    verdict = callbacks.answer(session, attempt_id, form["CallSid"], form["AnsweredBy"], now)
    if verdict.machine:
        return _twiml(_hang_up())
    # Outbound: Twilio's From is our number, To is the caller's.
    call = voice_service.CallRequest(form["CallSid"], form["To"], form["From"], now)
    return _twiml(voice_service.answer_callback(session, voice_context(), call, verdict.language))


@bp.post("/twilio/voice/callback/<int:attempt_id>/status")
@twilio_webhook
def status(attempt_id: int) -> Response:
    """The call-back's status callback: attempts, outcomes and times."""
    form = _load(_STATUS_FORM, request.form)
    if form is None:
        return Response(status=204)
    session, now = db.session(), utcnow()
    outcome = callbacks.update_status(session, attempt_id, form["CallSid"], form["CallStatus"], form["CallDuration"],
                                      now)
    if outcome == CallbackOutcome.PERSON:  # the person's call is a Contact in the flow: end it there too
        call = voice_service.CallRequest(form["CallSid"], form["To"], form["From"], now)
        voice_service.update_call_status(session, voice_context(), call, form["CallStatus"], form["CallDuration"])
    return Response(status=204)


def _load(schema: CallForm, data: Any) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError:
        return None
    return result


def _hang_up() -> str:
    twiml = VoiceResponse()
    twiml.hangup()
    return str(twiml)


def _twiml(body: str) -> Response:
    response = Response(body, mimetype="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response
