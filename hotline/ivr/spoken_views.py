"""The spoken reply's own Twilio webhooks (signed) and the audio Twilio plays.

``/answer``: a machine (or fax, or an unknown call) gets an empty hang-up; a person hears the neutral greeting in
their language. ``/step``: the answer, "press 1 to hear it again, 2 to leave another question", the question
recorded into the caller's conversation like any recording. ``/status``: delivery. ``GET /ivr/reply/<token>.wav``:
the recorded answer, only through a signed URL that expires (Twilio's <Play> fetches it without a session); the
token carries a random key of the answer, nothing about the caller.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from hotline.callbacks import spoken
from hotline.callbacks.models import CallbackOutcome
from hotline.callbacks.service import CallbackUrls
from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import StepForm, StepQuery
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db, limiter
from hotline.intake.constants import Channel
from hotline.intake.inbound import Intake
from hotline.intake.models import Recording, Report
from hotline.intake.service import record
from hotline.ivr import service as voice_service
from hotline.ivr.callback_views import AnswerForm, CallbackStatusForm, _hang_up, _twiml
from hotline.ivr.engine import Hangup, Speak
from hotline.ivr.prompts import SOURCE_LANGUAGE
from hotline.ivr.runtime import content_in_force
from hotline.ivr.spoken_flow import NODES, QUESTION, Turn, first_turn, next_turn
from hotline.ivr.twiml import CallUrls, PlayAudio, render
from hotline.ivr.views import _context as voice_context
from hotline.web.ratelimit import client_address

bp = Blueprint("spoken_voice", __name__)
AUDIO_URL_SECONDS = 15 * 60  # a <Play> is fetched as soon as its TwiML is run; "press 1" mints a fresh URL
_SALT = "hotline.spoken-reply-audio"
QUESTION_NODE = "spoken_question"  # not a flow node: its recording is filed as a question


class SpokenStepQuery(StepQuery):
    """The step's own query: node, step number, and tries made at that node."""

    t = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10))


_ANSWER_FORM, _STATUS_FORM, _STEP_FORM, _STEP_QUERY = AnswerForm(), CallbackStatusForm(), StepForm(), SpokenStepQuery()
# Refused audio tokens (404) per address, counted with refused webhooks' limit: only a stranger meets it.
_refused_audio_limit = limiter.limit(lambda: str(current_app.config["HOTLINE"].ratelimit_webhook_refused),
                                     key_func=client_address, deduct_when=lambda r: r.status_code == 404)


def spoken_urls(attempt_id: int) -> CallbackUrls:
    """Absolute URLs of an attempt's webhooks, on the public base when one is configured."""
    base = (runtime().settings.public_url or request.host_url).rstrip("/")
    return CallbackUrls(answer=base + url_for("spoken_voice.answer", attempt_id=attempt_id),
                        status=base + url_for("spoken_voice.status", attempt_id=attempt_id))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["HOTLINE"].secret_key, salt=_SALT)


def audio_token(audio_key: str) -> str:
    """A signed token for one answer's audio (expires after AUDIO_URL_SECONDS)."""
    return str(_serializer().dumps(audio_key))


def read_audio_token(token: str, max_age: int = AUDIO_URL_SECONDS) -> str | None:
    """The answer's key, when ``token`` is ours and fresh; None otherwise."""
    try:
        key = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    return key if isinstance(key, str) else None


@bp.post("/twilio/voice/spoken/<int:attempt_id>/answer")
@twilio_webhook
def answer(attempt_id: int) -> Response:
    """The call connected: nothing at all for a machine, the greeting for a person."""
    form = _load(_ANSWER_FORM, request.form)
    if form is None:
        return _twiml(_hang_up())
    session, now = db.session(), utcnow()
    verdict = spoken.answered(session, attempt_id, form["CallSid"], form["AnsweredBy"], now)
    if verdict.machine:
        return _twiml(_hang_up())
    language = verdict.language or SOURCE_LANGUAGE
    # The call is a contact of the caller (outbound: To is the caller, From our number), so a question left on it
    # is filed in their conversation like any recording.
    opened = record(session, Intake(channel=Channel.VOICE, received_at=now, sender=form["To"],
                                    contact_key=form["CallSid"], hotline_number=form["From"], language=language),
                    runtime().intake_context())
    if not opened.contact.status:
        opened.contact.status = voice_service.IN_PROGRESS
    session.flush()
    return _render(first_turn(language), attempt_id, 1)


@bp.post("/twilio/voice/spoken/<int:attempt_id>/step")
@twilio_webhook
def step(attempt_id: int) -> Response:
    """A key pressed, or a question recorded, during the call."""
    query, form = _load(_STEP_QUERY, request.args), _load(_STEP_FORM, request.form)
    if query is None or form is None:
        return _twiml(_hang_up())
    session, now = db.session(), utcnow()
    attempt = spoken.attempt_for(session, attempt_id, form["CallSid"])
    if attempt is None:
        return _twiml(_hang_up())
    language = attempt.language or SOURCE_LANGUAGE
    play = spoken.what_to_play(session, attempt)
    node = query["node"] if query["node"] in NODES else QUESTION
    if play is None:  # the answer is gone (erased with its report): end politely
        turn = Turn((Speak("spoken_reply_goodbye", language), Hangup()))
    else:
        media = PlayAudio(play.url or url_for("spoken_voice.audio", token=audio_token(play.audio_key or "")))
        duration = form["RecordingDuration"]
        turn = next_turn(node, form["Digits"], query["t"], language, media, recording=bool(form["RecordingSid"]),
                         heard=bool(form["RecordingSid"]) and duration is not None and duration >= 1)
    if turn.keep_recording and form["RecordingSid"]:
        call = voice_service.CallRequest(form["CallSid"], form["To"], form["From"], now)
        voice_service.store_recording(session, voice_context(), voice_service.RecordingRequest(
            call, QUESTION_NODE, form["RecordingSid"], form["RecordingUrl"], form["RecordingDuration"]))
        filed = session.scalar(select(Report.id).join(Recording, Report.recording_id == Recording.id)
                               .where(Recording.provider_sid == form["RecordingSid"]))
        spoken.note_question(session, attempt, filed)
    spoken.note_step(session, attempt, query["n"], turn.played, now)
    return _render(turn, attempt_id, query["n"] + 1)


@bp.post("/twilio/voice/spoken/<int:attempt_id>/status")
@twilio_webhook
def status(attempt_id: int) -> Response:
    """The call's status callback: delivery, times, duration."""
    form = _load(_STATUS_FORM, request.form)
    if form is None:
        return Response(status=204)
    session, now = db.session(), utcnow()
    outcome = spoken.status_changed(session, attempt_id, form["CallSid"], form["CallStatus"], form["CallDuration"],
                                    now)
    if outcome == CallbackOutcome.PERSON:  # the person's call is a contact: end it there too
        call = voice_service.CallRequest(form["CallSid"], form["To"], form["From"], now)
        voice_service.update_call_status(session, voice_context(), call, form["CallStatus"], form["CallDuration"])
    return Response(status=204)


@bp.get("/ivr/reply/<token>.wav")
@_refused_audio_limit
def audio(token: str) -> Response:
    """A recorded answer for Twilio's <Play>: a signed, fresh token or 404 (nothing says whether it existed)."""
    key = read_audio_token(token)
    wav = spoken.audio_by_key(db.session(), key) if key else None
    if wav is None:
        abort(404)
    response = Response(wav, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _render(turn: Turn, attempt_id: int, step_number: int) -> Response:
    """The turn as TwiML: its actions come back to this attempt's step URL, numbered, with the tries made."""
    content = content_in_force(db.session())
    urls = CallUrls(
        step=lambda node: url_for("spoken_voice.step", attempt_id=attempt_id, node=node, n=step_number, t=turn.tries),
        hold=lambda: url_for("voice.hold"),
        recording=lambda _node: url_for("voice.recording_callback", node=QUESTION_NODE),
        audio=lambda path: url_for("voice.audio", lang=path.split("/", 1)[0], filename=path.split("/", 1)[1]),
        queue_name=lambda language: f"{content.hotlines.queue_prefix}{language}",
    )
    return _twiml(render(turn.actions, content.prompts, urls))


def _load(schema: Schema, data: Any) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError:
        return None
    return result
