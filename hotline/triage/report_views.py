"""The report page (/console/reports/<id>) and its actions: each one POST, one service call, one commit, audited."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from hotline.auth.console import CASEWORK, staff
from hotline.auth.models import User
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.models import Message, Recording, Report
from hotline.intake.recording_files import RecordingFolders
from hotline.rumours.models import CounterMessage
from hotline.sms.encoding import sms_cost
from hotline.sms.media import media_file
from hotline.triage import actions
from hotline.triage.access import may_open_any, may_open_report
from hotline.triage.actions import ActionRefused, Coding
from hotline.triage.queue import assignable_staff, next_report
from hotline.triage.referrals import partners_for, referral_history
from hotline.triage.report import load_report_view, reports_of_contact, reports_of_recording
from hotline.triage.report_extras import report_extras
from hotline.triage.spoken_reply_views import spoken_panel
from hotline.web.console import bp, refusal
from hotline.web.security import RECORDER_CONTENT_SECURITY_POLICY, uses_microphone


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.get("/reports/<int:report_id>")
@login_required(*CASEWORK)
@uses_microphone  # the spoken-reply panel records an answer
def report(report_id: int) -> ResponseReturnValue:
    """Everything about one report, and the forms to act on it."""
    session = db.session()
    user = staff()
    view = load_report_view(session, report_id, utcnow().date(), _recording_folders(), user)
    if view is None or not may_open_report(user, view.report):
        abort(404)  # a report this user may not open is answered as one that does not exist
    draft = request.args.get("reply", "")
    chosen = _int_or_none(request.args.get("use"))
    if chosen is not None:
        picked = next((m for m in view.counter_messages if m.id == chosen), None)
        draft = picked.body if picked is not None else draft
    page = render_template("console/report.html", view=view, report=view.report, draft=draft, chosen=chosen,
                           cost=sms_cost(draft), costs={m.id: sms_cost(m.body) for m in view.counter_messages},
                           taxonomy=runtime().taxonomy, may_act=actions.may_act(view.report, user),
                           confirm_close=actions.needs_close_confirmation(view.report), now=utcnow(),
                           partners=partners_for(session, view.caller.country if view.caller else None),
                           history=referral_history(session, [r.id for r in view.referrals]),
                           assignable=assignable_staff(session, view.report.language, view.report.sensitivity)
                           if user.role in ("supervisor", "admin") else [],
                           spoken=spoken_panel(session, view, utcnow()), **report_extras(session, view, user))
    response = Response(page)
    response.headers["Content-Security-Policy"] = RECORDER_CONTENT_SECURITY_POLICY  # a spoken reply's take
    return response


def _wants_json() -> bool:
    """console.js sends actions with fetch and asks for JSON; a plain form post (no JavaScript) gets a redirect."""
    return request.accept_mimetypes.best == "application/json"


def _act(report_id: int, do: Callable[[Session, Report, User], None], done: str) -> ResponseReturnValue:
    """Run one action (the first one on a report nobody holds claims it), then answer the page: JSON for fetch,
    else a redirect back to the report, or to the next report when the operator asked for "and next"."""
    session = db.session()
    user = staff()
    try:
        target = actions.load_for_action(session, report_id, user, utcnow())
        do(session, target, user)
    except ActionRefused as refused:
        session.rollback()
        if refused.reason == "not_found":
            abort(404)
        if _wants_json():
            return jsonify(ok=False, message=refusal(refused.reason)), 409
        flash(refusal(refused.reason), "error")
        return redirect(url_for("console.report", report_id=report_id), 303)
    where = url_for("console.report", report_id=report_id)
    if request.form.get("then") == "next":
        following = next_report(session, user, utcnow(), skip=report_id)
        where = url_for("console.report", report_id=following) if following else url_for("console.queue")
        if following is None:
            done = f"{done} {_('Nothing else is waiting in your languages.')}"
    if _wants_json():
        if request.form.get("then") != "next":
            return jsonify(ok=True, message=done, redirect=None)
        flash(done)  # shown on the next report's page
        return jsonify(ok=True, message=done, redirect=where)
    flash(done)
    return redirect(where, 303)


@bp.get("/next")
@login_required(*CASEWORK)
def next_in_queue() -> ResponseReturnValue:
    """The next report waiting in the operator's languages (urgent and protection first); the queue when none."""
    following = next_report(db.session(), staff(), utcnow(), skip=_int_or_none(request.args.get("after")))
    if following is None:
        flash(_("Nothing else is waiting in your languages."))
        return redirect(url_for("console.queue"), 303)
    return redirect(url_for("console.report", report_id=following), 303)


@bp.post("/reports/<int:report_id>/code")
@login_required(*CASEWORK)
def code(report_id: int) -> ResponseReturnValue:
    """Accept or override the suggested coding."""
    form = request.form
    coding = Coding(type=form.get("type") or None, category=form.get("category") or None,
                    code=form.get("code") or None, urgency=form.get("urgency") or None)
    if coding.urgency not in (None, "normal", "high", "immediate"):
        coding = Coding(coding.type, coding.category, coding.code, None)
    return _act(report_id, lambda s, r, u: actions.code_report(s, r, u, coding, runtime().taxonomy),
                _("Coding saved."))


@bp.post("/reports/<int:report_id>/translation")
@login_required(*CASEWORK)
def translation(report_id: int) -> ResponseReturnValue:
    """Save the operator's translation."""
    text = request.form.get("translation", "")[:20000]
    return _act(report_id, lambda s, r, u: actions.translate(s, r, u, text), _("Translation saved."))


@bp.post("/reports/<int:report_id>/rumour")
@login_required(*CASEWORK)
def rumour_link(report_id: int) -> ResponseReturnValue:
    """Link the report to a rumour, or unlink it (empty rumour id)."""
    rumour_id = _int_or_none(request.form.get("rumour_id"))
    return _act(report_id, lambda s, r, u: actions.link_rumour(s, r, u, rumour_id), _("Rumour link saved."))


@bp.post("/reports/<int:report_id>/reply")
@login_required(*CASEWORK)
def reply(report_id: int) -> ResponseReturnValue:
    """Queue an SMS reply (sent after the commit by the job queue)."""
    body = request.form.get("body", "")
    counter_id = _int_or_none(request.form.get("counter_message_id"))
    if counter_id is not None and db.session.get(CounterMessage, counter_id) is None:
        counter_id = None

    answered = request.form.get("and") == "answered"

    def send(session: Session, target: Report, user: User) -> None:
        actions.reply(session, target, user, body, counter_id, utcnow(), answered=answered)

    return _act(report_id, send,
                _("Reply queued for sending; marked as answered.") if answered else _("Reply queued for sending."))


@bp.post("/reports/<int:report_id>/answered")
@login_required(*CASEWORK)
def answered(report_id: int) -> ResponseReturnValue:
    """Mark the report answered."""
    return _act(report_id, lambda s, r, u: actions.mark_answered(s, r, u, utcnow()), _("Marked as answered."))


@bp.post("/reports/<int:report_id>/escalate")
@login_required(*CASEWORK)
def escalate(report_id: int) -> ResponseReturnValue:
    """Refer the caller to a protection partner."""
    partner, note = request.form.get("referred_to", ""), request.form.get("note", "")
    partner_id = _int_or_none(request.form.get("partner_id"))
    return _act(report_id, lambda s, r, u: actions.escalate(s, r, u, partner, note, utcnow(), partner_id),
                _("Escalated: a protection referral is recorded."))


@bp.post("/reports/<int:report_id>/close")
@login_required(*CASEWORK)
def close(report_id: int) -> ResponseReturnValue:
    """Close the report."""
    confirmed = request.form.get("confirm") == "1"
    return _act(report_id, lambda s, r, u: actions.close(s, r, u, utcnow(), confirmed=confirmed), _("Report closed."))


@bp.get("/recordings/<int:recording_id>/audio")
@login_required(*CASEWORK)
def recording_audio(recording_id: int) -> ResponseReturnValue:
    """A recording's audio, served by the app to signed-in case workers only (never a Twilio URL)."""
    session = db.session()
    recording = session.get(Recording, recording_id)
    path = _recording_folders().file(recording)
    if recording is None or path is None or not may_open_any(staff(), reports_of_recording(session, recording)):
        abort(404)
    response = send_file(path, mimetype=recording.content_type or "audio/mpeg", conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/messages/<int:message_id>/media/<int:index>")
@login_required(*CASEWORK)
def message_media(message_id: int, index: int) -> ResponseReturnValue:
    """A picture, voice note or file a caller sent, served by the app to case workers only (never a Twilio URL)."""
    session = db.session()
    message = session.get(Message, message_id)
    stored = media_file(message, index, current_app.config["HOTLINE"].media_folder)
    if message is None or stored is None or not may_open_any(staff(), reports_of_contact(session, message.contact_id)):
        abort(404)
    response = send_file(stored.path, mimetype=stored.content_type, conditional=True, max_age=0,
                         as_attachment=not stored.inline, download_name=stored.path.name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A file from a stranger: even opened directly, it runs no script and reaches nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _recording_folders() -> RecordingFolders:
    """Call recordings and field voice notes, each in its own folder."""
    settings = current_app.config["HOTLINE"]
    return RecordingFolders(settings.recordings_folder, settings.voice_notes_folder)
