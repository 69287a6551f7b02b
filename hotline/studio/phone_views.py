"""/twilio/voice/studio/<step>: the staff-only path for recording prompts by phone (hotline.studio.phone).

Who may call it: Twilio only (every request signed with the account's auth token, else 403 and nothing stored);
what it does needs the staff number and PIN checked in the path itself. Wrong PINs are delayed per staff number
and limited per call; unsigned requests are rate-limited with every other refused webhook.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, url_for
from flask import request as flask_request
from marshmallow import ValidationError

from hotline.channels.twilio.account import account_of
from hotline.channels.twilio.remote import remote_deleter
from hotline.channels.twilio.rest import twilio_client
from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import StepForm
from hotline.context import runtime
from hotline.db import after_commit, utcnow
from hotline.extensions import db
from hotline.ivr.runtime import content_in_force
from hotline.studio import phone

bp = Blueprint("studio_phone", __name__)
_FORM = StepForm()


def init_studio_phone(app: Flask) -> None:
    """Register the path's webhooks."""
    app.register_blueprint(bp)


def staff_entry() -> str:
    """The path's first TwiML (what the hidden key at a menu answers)."""
    return phone.start(_context())


@bp.post("/twilio/voice/studio/<step>")
@twilio_webhook
def staff_step(step: str) -> Response:
    """One step of the staff recording path."""
    if step not in phone.STEPS:
        return _twiml(phone.start(_context()), status=404)
    try:
        form: dict[str, Any] = _FORM.load(flask_request.form)
    except ValidationError as exc:
        response = _twiml('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup /></Response>', status=400)
        response.headers["X-Hotline-Error"] = "invalid webhook fields: " + ", ".join(sorted(map(str, exc.messages)))
        return response
    given = phone.PhoneInput(form["CallSid"], step, form["Digits"], form["RecordingUrl"], form["RecordingSid"],
                             form["RecordingDuration"], utcnow())
    return _twiml(phone.answer(db.session(), _context(), given))


def _context() -> phone.PhoneContext:
    rt = runtime()
    session = db.session()
    settings = rt.settings

    def delete_later(url: str) -> None:
        def delete() -> None:  # a failed delete leaves the take at Twilio: it holds no caller's words
            remote_deleter(twilio_client(settings))(url)
        after_commit(session, delete)

    return phone.PhoneContext(
        content=content_in_force(session), languages=rt.languages, account=account_of(current_app.config["HOTLINE"]),
        step_url=lambda step: url_for("studio_phone.staff_step", step=step), back_url=url_for("voice.incoming_call"),
        delete_remote=delete_later)


def _twiml(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response
