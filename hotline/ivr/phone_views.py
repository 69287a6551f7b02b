"""The operators' phone webhooks: the TwiML App's voice URL that joins an operator to the caller they should answer
next, and the bridge URL a dequeued caller is sent to (check the signature -> parse -> one service call -> TwiML)."""

from __future__ import annotations

import logging

import requests
from flask import Blueprint, Response, request, url_for
from marshmallow import fields, validate
from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import Dial, VoiceResponse

from hotline.channels.twilio.rest import twilio_client
from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import CallForm
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr.content import ivr_content
from hotline.ivr.flow import OPERATOR
from hotline.ivr.twiml import render_join
from hotline.operators.calls import NobodyWaiting, room_of, take_next_caller
from hotline.operators.presence import operator_by_identity
from hotline.operators.routing import WaitingCall
from hotline.operators.wrapup import end_operator_leg

bp = Blueprint("phone", __name__)
log = logging.getLogger(__name__)
CLIENT_PREFIX = "client:"


class OperatorCallForm(CallForm):
    """The TwiML App's voice request: ``From`` is ``client:<identity>`` of the operator's softphone."""

    From = fields.String(required=True, validate=validate.Regexp(r"^client:op_[0-9a-f]{24}$"))


_OPERATOR_FORM, _BRIDGE_FORM, _DONE_FORM = OperatorCallForm(), CallForm(), OperatorCallForm()


@bp.post("/twilio/voice/operator")
@twilio_webhook
def operator_call() -> Response:
    """The TwiML App's Voice URL: the operator's softphone asks for the next caller of their languages."""
    errors = _OPERATOR_FORM.validate(request.form)
    if errors:
        return _twiml(_hang_up(), status=400)
    form = _OPERATOR_FORM.load(request.form)
    session = db.session()
    operator = operator_by_identity(session, form["From"].removeprefix(CLIENT_PREFIX))
    if operator is None:
        return _twiml(_hang_up())
    try:
        taken = take_next_caller(session, operator, operator_nodes(), utcnow(), _dequeue, form["CallSid"])
    except NobodyWaiting:
        return _twiml(_hang_up())
    return _twiml(_operator_join(taken.room, _absolute(url_for("phone.operator_done", call=taken.call_id))))


@bp.post("/twilio/voice/operator/done")
@twilio_webhook
def operator_done() -> Response:
    """The operator's <Dial> ended (they or the caller hung up): the talk time is stored; a webhook naming another
    call than the operator's own leg changes nothing."""
    errors = _DONE_FORM.validate(request.form)
    call_id = request.args.get("call", type=int)
    if errors or call_id is None:
        return _twiml(_hang_up(), status=400)
    end_operator_leg(db.session(), call_id, _DONE_FORM.load(request.form)["CallSid"], utcnow())
    return _twiml(_hang_up())


@bp.post("/twilio/voice/bridge")
@twilio_webhook
def bridge() -> Response:
    """Where a taken caller's call goes when Twilio moves it out of the queue: the operator's room."""
    errors = _BRIDGE_FORM.validate(request.form)
    if errors:
        return _twiml(_hang_up(), status=400)
    room = room_of(db.session(), _BRIDGE_FORM.load(request.form)["CallSid"])
    return _twiml(render_join(room) if room else _hang_up())


def _dequeue(call: WaitingCall, room: str) -> bool:
    """Ask Twilio to move the caller out of their queue to the bridge URL (which puts them in ``room``); False when
    Twilio no longer has them there or cannot be reached."""
    client = twilio_client(runtime().settings)
    try:
        client.queues(call.queue_sid).members(call.call_sid).update(url=_absolute(url_for("phone.bridge")),
                                                                    method="POST")
    except (TwilioRestException, requests.RequestException):
        log.warning("a waiting caller could not be moved out of the queue", extra={"queue_sid": call.queue_sid})
        return False
    return True


def _absolute(path: str) -> str:
    public = runtime().settings.public_url
    return public.rstrip("/") + path if public else request.url_root.rstrip("/") + path


def operator_nodes() -> frozenset[str]:
    """The call flow's operator nodes: where a waiting caller's call stands."""
    return frozenset(node.id for node in ivr_content().flow.nodes.values() if node.kind == OPERATOR)


def _operator_join(room: str, action: str) -> str:
    """The operator joins the caller's room; when it ends, Twilio requests ``action`` (the talk time)."""
    response = VoiceResponse()
    dial = Dial(action=action, method="POST")
    dial.conference(room, start_conference_on_enter=True, end_conference_on_exit=True, beep=False)
    response.append(dial)
    return str(response)


def _hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def _twiml(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response
