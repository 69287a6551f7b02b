"""Twilio voice webhooks: check the signature -> parse the form -> one service call -> TwiML.

Also serves the IVR's prompt audio (recorded and synthetic) to Twilio's <Play>.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, abort, request, send_from_directory, url_for
from marshmallow import Schema, ValidationError
from twilio.twiml.voice_response import VoiceResponse

from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import CallForm, HoldForm, RecordingForm, StatusForm, StepForm, StepQuery
from hotline.content.languages import LanguageTable
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr import service
from hotline.ivr.content import IvrPaths
from hotline.ivr.prompts import AUDIO_TYPES, STUDIO_FOLDER
from hotline.ivr.runtime import content_in_force, init_ivr_content, ivr_content, overlay_audio, staff_entry_twiml
from hotline.ivr.twiml import CallUrls

bp = Blueprint("voice", __name__)
_AUDIO_FILE = re.compile(r"^(synthetic/)?[a-z0-9_]{1,64}\.(mp3|wav)$")
_STUDIO_FILE = re.compile(rf"^{STUDIO_FOLDER}/([0-9]{{1,12}})\.wav$")
AUDIO_MAX_AGE = 24 * 3600
_TWIML = "text/xml; charset=utf-8"
# One instance of each schema per process: building a schema (its fields, validators, hooks) was per-request work,
# and loading is stateless, so concurrent requests share them.
_CALL_FORM, _STEP_FORM, _STEP_QUERY = CallForm(), StepForm(), StepQuery()
_RECORDING_FORM, _RECORDING_QUERY = RecordingForm(), StepQuery(only=("node",))
_STATUS_FORM, _HOLD_FORM = StatusForm(), HoldForm()


class BadWebhook(Exception):
    """A webhook form or query that does not parse; carries the names of the fields at fault."""

    def __init__(self, fields: list[str]):
        super().__init__(", ".join(fields))
        self.fields = fields


def init_voice(app: Flask, languages: LanguageTable, paths: IvrPaths | None = None) -> None:
    """Load the IVR content and register the voice webhooks."""
    init_ivr_content(app, languages, paths)
    app.register_blueprint(bp)


@bp.errorhandler(BadWebhook)
def _bad_webhook(exc: BadWebhook) -> Response:
    # Twilio gets valid TwiML that ends the call cleanly; the field names (never values) say what was wrong.
    twiml = VoiceResponse()
    twiml.hangup()
    response = Response(str(twiml), status=400, mimetype="text/xml")
    response.headers["X-Hotline-Error"] = f"invalid webhook fields: {exc}"
    return response


@bp.post("/twilio/voice")
@twilio_webhook
def incoming_call() -> Response:
    """The number's Voice URL: a new call."""
    form = _parse(_CALL_FORM, request.form)
    return _twiml(service.answer_call(db.session(), _context(), _call(form)))


@bp.post("/twilio/voice/step")
@twilio_webhook
def step() -> Response:
    """A Gather, Record or Enqueue action inside a call."""
    query = _parse(_STEP_QUERY, request.args)
    form = _parse(_STEP_FORM, request.form)
    req = service.StepRequest(
        call=_call(form), node=query["node"], seq=query["n"], digits=form["Digits"],
        recording_sid=form["RecordingSid"], recording_url=form["RecordingUrl"],
        recording_duration=form["RecordingDuration"], queue_result=form["QueueResult"],
        queue_time=form["QueueTime"],
    )
    return _twiml(service.continue_call(db.session(), _context(), req))


@bp.post("/twilio/voice/recording")
@twilio_webhook
def recording_callback() -> Response:
    """The recording status callback of a <Record>."""
    node = _parse(_RECORDING_QUERY, request.args)["node"]
    form = _parse(_RECORDING_FORM, request.form)
    req = service.RecordingRequest(_call(form), node, form["RecordingSid"], form["RecordingUrl"],
                                   form["RecordingDuration"])
    service.store_recording(db.session(), _context(), req)
    return Response(status=204)


@bp.post("/twilio/voice/status")
@twilio_webhook
def call_status() -> Response:
    """The call status callback."""
    form = _parse(_STATUS_FORM, request.form)
    service.update_call_status(db.session(), _context(), _call(form), form["CallStatus"], form["CallDuration"])
    return Response(status=204)


@bp.post("/twilio/voice/hold")
@twilio_webhook
def hold() -> Response:
    """The operators' queue wait URL."""
    form = _parse(_HOLD_FORM, request.form)
    wait = service.QueueWait(form["QueueTime"], form["QueuePosition"], form["QueueSid"])
    return _twiml(service.hold(db.session(), _context(), _call(form), wait))


@bp.get("/ivr/audio/<lang>/<path:filename>")
def audio(lang: str, filename: str) -> Response:
    """A prompt recording or stand-in, for Twilio's <Play>: known languages and file names only."""
    if lang not in runtime().languages:
        abort(404)
    studio = _STUDIO_FILE.fullmatch(filename)
    if studio:  # approved in the prompt studio: from the database, and only while approved
        wav = overlay_audio(db.session(), lang, int(studio.group(1)))
        if wav is None:
            abort(404)
        response = Response(wav, mimetype="audio/wav")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = f"public, max-age={AUDIO_MAX_AGE}"
        return response
    if not _AUDIO_FILE.fullmatch(filename):
        abort(404)
    paths = ivr_content().paths
    folder = (paths.stand_in_root if filename.startswith("synthetic/") else paths.audio) / lang
    suffix = filename[filename.rindex("."):]
    response = send_from_directory(folder, filename, mimetype=AUDIO_TYPES[suffix], max_age=AUDIO_MAX_AGE,
                                   conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={AUDIO_MAX_AGE}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _parse(schema: Schema, data: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise BadWebhook(sorted(str(key) for key in exc.messages)) from None
    return result


def _call(form: dict[str, Any]) -> service.CallRequest:
    return service.CallRequest(form["CallSid"], form["From"], form["To"], utcnow())


def _context() -> service.VoiceContext:
    rt = runtime()
    content = content_in_force(db.session())
    prefix = content.hotlines.queue_prefix

    def urls(seq: int) -> CallUrls:
        return CallUrls(
            step=lambda node: url_for("voice.step", node=node, n=seq),
            hold=lambda: url_for("voice.hold"),
            recording=lambda node: url_for("voice.recording_callback", node=node),
            audio=lambda path: url_for("voice.audio", lang=path.split("/", 1)[0], filename=path.split("/", 1)[1]),
            queue_name=lambda language: f"{prefix}{language}",
            scope=f"{request.script_root}?n={seq}",  # what url_for's paths depend on besides their arguments
        )

    return service.VoiceContext(content, rt.intake_context(), rt.languages, urls, staff_entry_twiml)


def _twiml(body: str) -> Response:
    response = Response(body, mimetype="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["bp", "init_voice"]
