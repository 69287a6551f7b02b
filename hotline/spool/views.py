"""Degraded mode: webhooks that meet an unreachable database are spooled and answered anyway; POST /twilio/fallback.

A webhook view runs as usual. If the database fails under it (while it works, or at the request's commit), the
request is written to the spool (fsync'ed) and Twilio gets the degraded answer: for a call the notice, a
recording and thanks; for a text the acknowledgement. ``/twilio/fallback`` (the number's Voice and Messaging
fallback URL, which Twilio calls when our primary URL errs or times out) never touches the database at all.
When the database answers again, the next successful request starts a replay (in a background thread).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hotline.channels.twilio.signature import twilio_webhook
from hotline.channels.twilio.voice_forms import CallForm, RecordingForm
from hotline.context import runtime
from hotline.db import is_outage, utcnow
from hotline.extensions import db
from hotline.ivr.runtime import ivr_content
from hotline.privacy.sealed_records import (
    SMS_INBOUND,
    SMS_STATUS,
    VOICE_CALL,
    VOICE_RECORDING,
    VOICE_STATUS,
    make_record,
)
from hotline.settings import CONFIG_DIR
from hotline.sms.inbound import InvalidMessage, parse_inbound
from hotline.sms.runtime import sms_context
from hotline.spool import degraded
from hotline.spool.replay import replay
from hotline.spool.runtime import app_spool
from hotline.spool.store import Spool
from hotline.web.errors import handle_unexpected

log = logging.getLogger("hotline.spool")
bp = Blueprint("spool", __name__)
_FALLBACK_CONFIG = "hotline_fallback"
_RETRY_SECONDS = 2.0
_TWIML = "text/xml"
_replay_guard = threading.Lock()
_CHECK_SECONDS = 1.0
_TIMES = "hotline_spool_replay_times"  # app.extensions: monotonic times of the last spool check and replay


def init_spool(app: Flask) -> None:
    """Open the spool, load the fallback content, and put every Twilio webhook behind the degraded mode."""
    settings = app.config["HOTLINE"]
    directory = Path(settings.spool_path) if settings.spool_path else Path(app.instance_path) / "spool"
    app.extensions["hotline_spool"] = Spool(directory, runtime(app).keys)
    prompts = ivr_content(app).prompts
    app.extensions[_FALLBACK_CONFIG] = degraded.load_fallback_config(
        CONFIG_DIR / "fallback.yaml", frozenset(runtime(app).languages.codes), frozenset(prompts.sources))
    app.register_blueprint(bp)
    for error in (DBAPIError, PoolTimeout):
        app.register_error_handler(error, _on_error)
    db.on_commit_failure(app, _spool_failed_commit)
    db.after_request_commit(app, lambda: _maybe_replay(app))


@bp.post("/twilio/fallback")
@twilio_webhook
def fallback() -> Response:
    """Twilio's fallback URL for voice and SMS: spool what arrived and answer from static content."""
    form = request.form
    if form.get("CallSid"):
        return _voice_fallback(form, request.args.get("stage", ""))
    if form.get("MessageSid") or form.get("SmsSid"):
        try:
            parse_inbound(form, utcnow())
        except InvalidMessage:
            return Response(degraded.empty_messaging(), status=400, mimetype="application/xml")
        return _spool_and_answer(SMS_INBOUND)
    return Response(status=400)


def _voice_fallback(form: Any, stage: str) -> Response:
    try:
        (RecordingForm if form.get("RecordingSid") else CallForm)().load(form)
    except ValidationError:
        return Response(degraded.leave_queue(), status=400, mimetype=_TWIML)
    if form.get("RecordingSid"):
        _spool(VOICE_RECORDING, {"type": _fallback_config().report_type})
        if stage == "callback":
            return Response(status=204)
        return _twiml(degraded.degraded_thanks(_fallback_config(), ivr_content().prompts, _urls(), form.get("From")))
    _spool(VOICE_CALL)
    return _twiml(degraded.degraded_call(_fallback_config(), ivr_content().prompts, _urls(), form.get("From")))


def _on_error(exc: Exception) -> Any:
    """A database outage under a webhook is spooled and answered; anything else goes to the usual handler."""
    if is_outage(exc) and request.endpoint in _DEGRADED:
        db.session.rollback()
        return _spool_and_answer(None)
    return handle_unexpected(exc)


def _spool_failed_commit(exc: Exception) -> Response | None:
    """hotline.db's request commit failed: a webhook meeting an outage is spooled and answered all the same."""
    if is_outage(exc) and request.endpoint in _DEGRADED:
        return _spool_and_answer(None)
    return None


def _spool_and_answer(kind: str | None) -> Response:
    """Spool the current request (kind from its endpoint unless given) and build the degraded answer."""
    endpoint = request.endpoint or ""
    form = request.form
    g.answered_without_database = True  # also for the queue's wait URL, which spools nothing
    config, prompts = _fallback_config(), ivr_content().prompts
    if kind == SMS_INBOUND or endpoint == "twilio_sms.inbound":
        _spool(SMS_INBOUND)
        sms = sms_context().config
        allowed = _ack_limiter(sms.per_caller.count, sms.per_caller.window_seconds).allow(form.get("From"),
                                                                                          time.monotonic())
        return Response(degraded.acknowledgement(config, sms, form.get("Body"), form.get("From"), allowed),
                        mimetype="application/xml")
    if endpoint == "twilio_sms.status":
        _spool(SMS_STATUS)
        return Response(degraded.empty_messaging(), mimetype="application/xml")
    if endpoint == "voice.call_status":
        _spool(VOICE_STATUS)
        return Response(status=204)
    if endpoint == "voice.recording_callback":
        _spool(VOICE_RECORDING, {"node": request.args.get("node", "")})
        return Response(status=204)
    if endpoint == "voice.hold":
        return _twiml(degraded.leave_queue())
    if endpoint == "voice.step" and form.get("RecordingSid"):
        _spool(VOICE_RECORDING, {"node": request.args.get("node", "")})
        return _twiml(degraded.degraded_thanks(config, prompts, _urls(), form.get("From")))
    _spool(VOICE_CALL)
    return _twiml(degraded.degraded_call(config, prompts, _urls(), form.get("From"), notice=endpoint != "voice.step"))


def _spool(kind: str, args: dict[str, str] | None = None) -> None:
    g.answered_without_database = True  # answered from the spool: hotline.db commits nothing after it
    app_spool().append(make_record(kind, request.form, utcnow(), args))
    log.warning("database unreachable: webhook spooled", extra={"endpoint": request.endpoint, "kind": kind})


def _maybe_replay(app: Flask) -> None:
    """After a request that committed, replay a waiting spool: in a thread (or inline in tests), not too often."""
    mode = app.config["HOTLINE"].spool_auto_replay or ("inline" if app.testing else "thread")
    if mode == "off":
        return
    now = time.monotonic()
    times: dict[str, float] = app.extensions.setdefault(_TIMES, {})
    if mode == "thread":
        # Looking at the spool folder costs a few stat calls and a glob: once a second per process is soon enough
        # for a replay that waits for the database anyway, and keeps them off every webhook under a flood.
        if now - times.get("check", -_CHECK_SECONDS) < _CHECK_SECONDS:
            return
        times["check"] = now
    spool = app_spool(app)
    if not spool.has_backlog():
        return
    if now - times.get("attempt", -_RETRY_SECONDS) < _RETRY_SECONDS and mode == "thread":
        return
    times["attempt"] = now
    if mode == "inline":
        replay(spool)
        return
    if _replay_guard.acquire(blocking=False):
        threading.Thread(target=_replay_in_background, args=(app, spool), daemon=True,
                         name="hotline-spool-replay").start()


def _replay_in_background(app: Flask, spool: Spool) -> None:
    try:
        with app.app_context():
            replay(spool)
    except Exception:
        log.exception("spool replay failed")
    finally:
        _replay_guard.release()


def _ack_limiter(count: int, window: float) -> degraded.AckLimiter:
    limiter: degraded.AckLimiter | None = current_app.extensions.get("hotline_ack_limiter")
    if limiter is None:
        limiter = current_app.extensions["hotline_ack_limiter"] = degraded.AckLimiter(count, window)
    return limiter


def _fallback_config() -> degraded.FallbackConfig:
    config: degraded.FallbackConfig = current_app.extensions[_FALLBACK_CONFIG]
    return config


def _urls() -> degraded.DegradedUrls:
    return degraded.DegradedUrls(
        recorded=url_for("spool.fallback", stage="recorded"),
        recording_callback=url_for("spool.fallback", stage="callback"),
        audio=lambda path: url_for("voice.audio", lang=path.split("/", 1)[0], filename=path.split("/", 1)[1]),
    )


def _twiml(body: str) -> Response:
    response = Response(body, mimetype=_TWIML)
    response.headers["Cache-Control"] = "no-store"
    return response


_DEGRADED = frozenset({"voice.incoming_call", "voice.step", "voice.recording_callback", "voice.call_status",
                       "voice.hold", "twilio_sms.inbound", "twilio_sms.status"})
