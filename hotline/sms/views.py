"""Twilio's Messaging webhooks: ``POST /twilio/sms`` (SMS and WhatsApp) and ``POST /twilio/sms/status``.

Each view: check the signature -> parse the form -> one service call -> TwiML (always an empty <Response/>:
replies go out through the job queue once the request has committed). With a job queue an inbound message is only
put in the inbox here and a worker files it; the embedded default files it in this request (hotline.sms.inbox).
"""

from __future__ import annotations

import logging
from typing import cast

from flask import Blueprint, Flask, Response, abort, request
from marshmallow import ValidationError
from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels.twilio.signature import twilio_webhook
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.sms.inbound import InvalidMessage, StatusCallbackSchema
from hotline.sms.inbox import maybe_sweep, receive
from hotline.sms.outbound import record_status
from hotline.sms.runtime import inbox_filing, load_into_app

log = logging.getLogger("hotline.sms")
bp = Blueprint("twilio_sms", __name__, url_prefix="/twilio/sms")
# The keywords file is validated when the app is built: a broken file stops start-up, naming file and line.
bp.record_once(lambda state: load_into_app(cast(Flask, state.app)))
bp.record_once(lambda state: _init_inbox(cast(Flask, state.app)))


def _init_inbox(app: Flask) -> None:
    """Sweep the inbox now and then after successful requests (the embedded default has no scheduler)."""
    db.after_request_commit(app, lambda: maybe_sweep(app, lambda: inbox_filing(app)))


# Every answer is the same empty <Response/>: rendered once, not per request (twilio's XML builder is a measurable
# part of a webhook that otherwise does one insert).
_EMPTY_TWIML = str(MessagingResponse())


def _twiml() -> Response:
    return Response(_EMPTY_TWIML, mimetype="application/xml")


@bp.post("")
@twilio_webhook
def inbound() -> Response:
    """An SMS or WhatsApp message arrived: into the inbox for a worker or a thread of this process to file, or filed
    in this request (``hotline.sms.runtime.inbox_filing``)."""
    try:
        receive(db.session(), request.form, runtime().keys, utcnow(), inbox_filing())
    except InvalidMessage as exc:
        log.warning("inbound message rejected", extra={"fields": sorted(exc.messages)})
        abort(400)
    return _twiml()


@bp.post("/status")
@twilio_webhook
def status() -> Response:
    """Twilio reports a change in an outbound message's delivery status."""
    try:
        data = StatusCallbackSchema().load(request.form)
    except ValidationError as exc:
        log.warning("status callback rejected", extra={"fields": sorted(exc.messages)})
        abort(400)
    record_status(db.session(), data["MessageSid"], data["MessageStatus"], data["ErrorCode"], utcnow())
    return _twiml()
