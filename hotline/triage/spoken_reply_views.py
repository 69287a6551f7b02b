"""Spoken replies from the report page: record an answer (or pick an approved audio counter-message), then have
Hotline call the caller and play it. Each POST parses, calls one service, redirects; the caller's number never
reaches the browser (nor this module: the service unseals it for the dialer only)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from hotline.auth.console import CASEWORK, staff
from hotline.auth.models import User
from hotline.auth.session import login_required
from hotline.callbacks import policy, spoken
from hotline.callbacks.service import CallbackRefused, has_consent
from hotline.callbacks.spoken_models import SpokenReply, SpokenReplyAttempt
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.models import Caller, Report
from hotline.ivr.prompts import MISSING
from hotline.ivr.runtime import content_in_force
from hotline.ivr.spoken_flow import PROMPTS
from hotline.ivr.spoken_views import spoken_urls
from hotline.rumours.models import CounterMessage
from hotline.studio.audio import AudioRejected, normalise
from hotline.triage.access import may_open_report
from hotline.triage.actions import ActionRefused, load_for_action
from hotline.triage.callback_views import CALLBACK_REFUSALS, callback_context
from hotline.triage.report import ReportView
from hotline.web.console import bp, refusal
from hotline.web.errors import accepts_uploads

UPLOAD_LIMIT = 16 * 2**20  # as the studio's: a two-minute answer uploaded as a WAV file
SPOKEN_REFUSALS = {
    **CALLBACK_REFUSALS,
    policy.NO_ANSWER: lazy_gettext("Record an answer, or pick a message, before calling."),
    policy.NO_PROMPTS: lazy_gettext("The greeting of this call is not recorded in the caller's language yet."),
    policy.NOT_AUDIO: lazy_gettext("That message has no approved audio in the caller's language."),
}
DELIVERY_LABELS = {
    policy.QUEUED: lazy_gettext("Queued"),
    policy.CALLING: lazy_gettext("Calling"),
    policy.ANSWERED: lazy_gettext("A person answered"),
    policy.PLAYED: lazy_gettext("Played"),
    policy.MACHINE: lazy_gettext("Not delivered: a machine answered and nothing was said"),
    policy.NOT_ANSWERED: lazy_gettext("Not delivered: nobody answered"),
    policy.HUNG_UP: lazy_gettext("Not delivered: the person hung up before hearing it"),
    policy.FAILED: lazy_gettext("Failed: the call could not be placed"),
}
_FINAL = policy.NOT_DELIVERED | {policy.PLAYED}


@dataclass(frozen=True)
class AttemptLine:
    """One call as the report page shows it: when, how far it got, how often the answer was played."""

    attempt: SpokenReplyAttempt
    delivery: str
    label: str
    final: bool


@dataclass(frozen=True)
class SpokenPanel:
    """What the report page's spoken-reply panel shows."""

    consent: bool
    language: str | None
    reply: SpokenReply | None
    reply_title: str | None
    attempts: list[AttemptLine]
    messages: list[CounterMessage]


def reply_language(session: Session, report: Report) -> str | None:
    """The caller's language (else the report's): what the answer and the call's prompts are in."""
    caller = session.get(Caller, report.caller_id) if report.caller_id is not None else None
    return (caller.language if caller else None) or report.language


def prompts_ready(session: Session, language: str | None) -> bool:
    """Whether every prompt of the spoken-reply call can be said in ``language`` (no English fallback)."""
    if language is None or language not in runtime().languages:
        return False
    book = content_in_force(session).prompts
    return all(book.resolve(prompt, language).source != MISSING for prompt in PROMPTS)


def spoken_panel(session: Session, view: ReportView, now: datetime) -> SpokenPanel:
    """The panel's data for the report page, reusing what the page has loaded (consent, messages, language)."""
    report, language = view.report, view.reply_language
    reply = spoken.current_reply(session, report.id)
    title = None
    if reply is not None and reply.counter_message_id is not None:
        message = session.get(CounterMessage, reply.counter_message_id)
        title = message.title if message is not None else None
    messages = [m for m in view.counter_messages if spoken.playable(m, language, now.date())] if language else []
    return SpokenPanel(consent=view.callback_consent, language=language, reply=reply, reply_title=title,
                       attempts=[_line(a) for a in spoken.attempts_of(session, report.id)], messages=messages)


def _line(attempt: SpokenReplyAttempt) -> AttemptLine:
    delivery = policy.delivery(attempt.status, attempt.outcome, attempt.plays)
    return AttemptLine(attempt, delivery, str(DELIVERY_LABELS[delivery]), delivery in _FINAL)


def _holding(report_id: int, user: User) -> Report | None:
    """The report when ``user`` may act on it (claiming it if nobody holds it); 404 when they may not open it."""
    try:
        return load_for_action(db.session(), report_id, user, utcnow())
    except ActionRefused as refused:
        db.session.rollback()
        if refused.reason == "not_found":
            abort(404)
        flash(refusal(refused.reason), "error")
        return None


def _back(report_id: int) -> ResponseReturnValue:
    return redirect(url_for("console.report", report_id=report_id, _anchor="spoken-reply"), 303)


def _consented(report: Report) -> bool:
    if has_consent(db.session(), report.id):
        return True
    flash(str(CALLBACK_REFUSALS[policy.NO_CONSENT]), "error")
    return False


@bp.post("/reports/<int:report_id>/spoken-reply/recording")
@login_required(*CASEWORK)
@accepts_uploads(UPLOAD_LIMIT)
def spoken_reply_recording(report_id: int) -> ResponseReturnValue:
    """Keep an answer recorded in the browser (or a file): normalised for the phone line, stored, audited."""
    user = staff()
    report = _holding(report_id, user)
    if report is None or not _consented(report):
        return _back(report_id)
    data = request.files.get("audio")
    if data is None:
        flash(_("Choose or record an audio file."), "error")
        return _back(report_id)
    try:
        body = data.read()
    finally:
        data.close()
    try:
        audio = normalise(body)
    except AudioRejected:
        flash(_("That audio could not be used: it is unreadable, silent, or longer than two minutes."), "error")
        return _back(report_id)
    session = db.session()
    source = "browser" if request.form.get("source") == "browser" else "upload"
    spoken.save_recording(session, report, user.id, spoken.PhoneWav(audio.wav, audio.duration_ms, audio.sha256),
                          source, reply_language(session, report), utcnow())
    flash(_("Answer saved. Listen to it, then call the caller to play it."))
    return _back(report_id)


@bp.post("/reports/<int:report_id>/spoken-reply/message")
@login_required(*CASEWORK)
def spoken_reply_message(report_id: int) -> ResponseReturnValue:
    """Answer with an approved counter-message's audio in the caller's language."""
    user = staff()
    report = _holding(report_id, user)
    if report is None or not _consented(report):
        return _back(report_id)
    raw = request.form.get("counter_message_id", "")
    session, now = db.session(), utcnow()
    try:
        spoken.save_counter_message(session, report, user.id, int(raw) if raw.isdigit() else 0,
                                    reply_language(session, report), now.date(), now)
    except CallbackRefused as refused:
        session.rollback()
        flash(str(SPOKEN_REFUSALS[refused.reason]), "error")
    else:
        flash(_("Answer saved. Listen to it, then call the caller to play it."))
    return _back(report_id)


@bp.post("/reports/<int:report_id>/spoken-reply/call")
@login_required(*CASEWORK)
def spoken_reply_call(report_id: int) -> ResponseReturnValue:
    """Call the caller and play the newest answer, through the call-backs' gate."""
    session, user = db.session(), staff()
    try:
        load_for_action(session, report_id, user)
    except ActionRefused as refused:
        if refused.reason == "not_found":
            abort(404)
        flash(refusal(refused.reason), "error")
        return _back(report_id)
    context = replace(callback_context(runtime().settings), urls=spoken_urls)  # the call-backs' gate and dialer
    try:
        spoken.place(session, context, report_id, user.id, utcnow(), lambda lang: prompts_ready(session, lang))
    except CallbackRefused as refused:
        session.rollback()
        flash(str(SPOKEN_REFUSALS[refused.reason]), "error")
    else:
        flash(_("Calling the caller to play the answer."))
    return _back(report_id)


@bp.get("/spoken-replies/<int:reply_id>.wav")
@login_required(*CASEWORK)
def spoken_reply_audio(reply_id: int) -> ResponseReturnValue:
    """A recorded answer, to listen before calling: case workers who may open its report only."""
    session = db.session()
    reply = session.get(SpokenReply, reply_id)
    report = session.get(Report, reply.report_id) if reply is not None else None
    if reply is None or reply.audio is None or report is None or not may_open_report(staff(), report):
        abort(404)
    response = Response(reply.audio, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/reports/<int:report_id>/spoken-reply/status")
@login_required(*CASEWORK)
def spoken_reply_status(report_id: int) -> ResponseReturnValue:
    """The delivery of each call, for the panel to follow a call in progress (JSON; nothing about the caller)."""
    session = db.session()
    report = session.get(Report, report_id)
    if report is None or not may_open_report(staff(), report):
        abort(404)
    lines = [_line(a) for a in spoken.attempts_of(session, report_id)]
    return jsonify(attempts=[{"id": line.attempt.id, "placed_at": line.attempt.placed_at.isoformat(),
                              "delivery": line.delivery, "label": line.label, "plays": line.attempt.plays,
                              "final": line.final} for line in lines])
