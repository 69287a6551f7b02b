"""The operators' phone webhooks: the TwiML App's voice URL that joins an operator to the caller they should answer
next, and the bridge URL a dequeued caller is sent to (check the signature -> parse -> one service call -> TwiML)."""

from __future__ import annotations

import logging

import requests
from flask import Blueprint, Response, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields, validate
from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from hotline.auth.models import User
from hotline.channels.twilio.rest import twilio_client
from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import CALL_SID, CallForm
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.i18n import babel_identifier, language_name
from hotline.intake.models import Contact
from hotline.ivr.flow import OPERATOR
from hotline.ivr.runtime import ivr_content
from hotline.ivr.twiml import render_join
from hotline.operators.calls import NobodyWaiting, call_language, room_of, take_next_caller
from hotline.operators.own_phone import accept, back_to_queue, call_in_room, finish, is_caller_leg, own_number
from hotline.operators.presence import operator_by_identity
from hotline.operators.routing import WaitingCall
from hotline.operators.wrapup import end_operator_leg

bp = Blueprint("phone", __name__)
log = logging.getLogger(__name__)
CLIENT_PREFIX = "client:"


class OperatorCallForm(CallForm):
    """The TwiML App's voice request: ``From`` is ``client:<identity>`` of the operator's softphone."""

    From = fields.String(required=True, validate=validate.Regexp(r"^client:op_[0-9a-f]{24}$"))


class WhisperForm(Schema):
    """The operator's own-phone leg: its CallSid (the number it rang is never read from the form)."""

    class Meta:
        unknown = EXCLUDE

    CallSid = fields.String(required=True, validate=CALL_SID)


class DialDoneForm(CallForm):
    """The caller's <Dial> action: how the operator's phone answered and for how long."""

    DialCallStatus = fields.String(load_default=None, validate=validate.Length(max=32))
    DialCallDuration = fields.Integer(load_default=None, validate=validate.Range(min=0, max=86400))


_OPERATOR_FORM, _BRIDGE_FORM, _DONE_FORM = OperatorCallForm(), CallForm(), OperatorCallForm()
_WHISPER_FORM, _DIAL_DONE_FORM = WhisperForm(), DialDoneForm()
OWN_PHONE_RING_SECONDS = 25
# Steps every caller passes: the whisper names only where they went after them.
_UNSPOKEN_STEPS = frozenset({"notice", "choose_language", "heard_via"})
_SPOKEN_PATH_STEPS = 3


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
    return _move(call, _absolute(url_for("phone.bridge")))


def dequeue_to_own_phone(call: WaitingCall, room: str) -> bool:
    """Move the caller out of their queue to the URL that dials the operator's own phone (``room`` names the call).
    """
    return _move(call, _absolute(url_for("phone.own_phone_bridge", room=room)))


def _move(call: WaitingCall, url: str) -> bool:
    client = twilio_client(runtime().settings)
    try:
        client.queues(call.queue_sid).members(call.call_sid).update(url=url, method="POST")
    except (TwilioRestException, requests.RequestException):
        log.warning("a waiting caller could not be moved out of the queue", extra={"queue_sid": call.queue_sid})
        return False
    return True


@bp.post("/twilio/voice/operator/phone")
@twilio_webhook
def own_phone_bridge() -> Response:
    """A caller taken for an operator who answers on their own phone: dial it, showing the hotline's number (never
    the caller's), with a whisper that asks the operator to accept; unreachable, the caller goes back to the queue.
    """
    errors = _BRIDGE_FORM.validate(request.form)
    if errors:
        return _twiml(_hang_up(), status=400)
    session = db.session()
    call = call_in_room(session, request.args.get("room", ""), lock=True)
    if call is None or not is_caller_leg(session, call, _BRIDGE_FORM.load(request.form)["CallSid"]):
        return _twiml(_hang_up())
    contact = session.get(Contact, call.contact_id)
    number = own_number(session, call.operator_id, runtime().keys) if call.operator_id is not None else None
    if number is None or contact is None or not contact.hotline_number:
        # Without the hotline's own number as caller ID, Twilio would show the caller's number to the operator.
        return _twiml(back_to_queue(session, call, utcnow()) or _hang_up())
    response = VoiceResponse()
    dial = Dial(action=_absolute(url_for("phone.own_phone_done", room=call.room)), method="POST",
                timeout=OWN_PHONE_RING_SECONDS, caller_id=contact.hotline_number)
    dial.number(number, url=_absolute(url_for("phone.whisper", room=call.room)), method="POST")
    response.append(dial)
    return _twiml(str(response))


@bp.post("/twilio/voice/operator/whisper")
@twilio_webhook
def whisper() -> Response:
    """What the operator hears on their own phone before the caller: the caller's language and menu path, in the
    operator's UI language, and "press 1 to accept"; no key, and the operator's leg ends (the caller is re-queued)."""
    errors = _WHISPER_FORM.validate(request.form)
    if errors:
        return _twiml(_hang_up(), status=400)
    session = db.session()
    call = call_in_room(session, request.args.get("room", ""))
    operator = session.get(User, call.operator_id) if call is not None and call.operator_id is not None else None
    contact = session.get(Contact, call.contact_id) if call is not None else None
    if call is None or operator is None or contact is None:
        return _twiml(_hang_up())
    text, say_language = _whisper_text(operator, contact)
    response = VoiceResponse()
    gather = Gather(num_digits=1, timeout=10, method="POST", action_on_empty_result=True,
                    action=_absolute(url_for("phone.whisper_answer", room=call.room)))
    gather.say(text, language=say_language)
    response.append(gather)
    response.hangup()
    return _twiml(str(response))


@bp.post("/twilio/voice/operator/whisper/answer")
@twilio_webhook
def whisper_answer() -> Response:
    """The operator's key after the whisper: 1 puts the caller through (an empty answer ends the whisper and Twilio
    bridges the two); anything else ends the operator's leg, and the caller's <Dial> action re-queues them."""
    errors = _WHISPER_FORM.validate(request.form)
    if errors:
        return _twiml(_hang_up(), status=400)
    session = db.session()
    call = call_in_room(session, request.args.get("room", ""), lock=True)
    if call is None or (request.form.get("Digits") or "")[:1] != "1":
        return _twiml(_hang_up())
    accept(session, call, utcnow())
    return _twiml(str(VoiceResponse()))


@bp.post("/twilio/voice/operator/phone/done")
@twilio_webhook
def own_phone_done() -> Response:
    """The caller's <Dial> to the operator's phone ended: after an accepted call the talk time is stored and the
    call ends; otherwise (no answer, busy, not accepted) the caller goes back to the queue, never dropped."""
    errors = _DIAL_DONE_FORM.validate(request.form)
    if errors:
        return _twiml(_hang_up(), status=400)
    form = _DIAL_DONE_FORM.load(request.form)
    session = db.session()
    call = call_in_room(session, request.args.get("room", ""), lock=True)
    if call is None or not is_caller_leg(session, call, form["CallSid"]):
        return _twiml(_hang_up())
    now = utcnow()
    if call.accepted_at is not None:
        finish(session, call, form["DialCallDuration"], now)
        return _twiml(_hang_up())
    return _twiml(back_to_queue(session, call, now) or _hang_up())


def _whisper_text(operator: User, contact: Contact) -> tuple[str, str]:
    """The whisper in the operator's UI language where Twilio has a voice for it, else in English."""
    ui = operator.ui_locale or "en"
    language = runtime().languages.get(ui)
    if language is None or not language.twilio_say:
        ui, say = "en", "en-GB"
    else:
        say = language.twilio_say
    caller_language = call_language(contact)
    path = [step.replace("_", " ") for step in (contact.ivr_path or [])
            if step not in _UNSPOKEN_STEPS][-_SPOKEN_PATH_STEPS:]
    with force_locale(babel_identifier(ui)):
        text = _("A hotline caller in %(language)s. Menu: %(path)s. Press 1 to take the call.",
                 language=language_name(caller_language) if caller_language else _("an unknown language"),
                 path=", ".join(path) or _("none"))
    return text, say


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
