"""/field: the focal points' pages — sign-in, the report form, the confirmation and the briefing sheet.

Light pages: no JavaScript needed (the offline outbox in static/field/outbox.js is an extra), a small stylesheet
and system fonts first, so the first page stays well under 50 KB on a 2G connection.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.field.credentials import NUMBER_DIGITS, PIN_DIGITS
from hotline.field.models import SOURCES
from hotline.field.my_reports import my_reports
from hotline.field.registry import SignInRefused, sign_in_with_link, sign_in_with_pin
from hotline.field.reports import InvalidSubmission, load_submission
from hotline.field.service import (
    MAX_VOICE_NOTE_BYTES,
    VoiceNoteRefused,
    check_voice_note,
    submit_web_report,
)
from hotline.field.session import current_focal_point, field_log_in, field_log_out, focal_point_required
from hotline.i18n import current_ui_code
from hotline.settings import LOCALES_DIR
from hotline.web.browser_only import browser_only
from hotline.web.ratelimit import field_link_limits, field_pin_limits
from hotline.web.security import RECORDER_CONTENT_SECURITY_POLICY, uses_microphone

bp = Blueprint("field", __name__, url_prefix="/field")
FIELD_LOCALES = "hotline_field_locales"


def field_locales(app: Flask) -> tuple[str, ...]:
    """The /field pages' languages: the console's, plus every language with a web UI catalogue (ur, bn, th...)."""
    if FIELD_LOCALES not in app.extensions:
        codes = runtime(app).languages.codes
        present = {code for code in codes if (LOCALES_DIR / code / "LC_MESSAGES" / "messages.po").is_file()}
        console = app.config["HOTLINE"].ui_locales
        app.extensions[FIELD_LOCALES] = (*console, *(code for code in codes if code in present and code not in console))
    offered: tuple[str, ...] = app.extensions[FIELD_LOCALES]
    return offered


@bp.before_app_request
@browser_only
def _focal_point_locale() -> None:
    """On /field pages the UI speaks the signed-in focal point's first language (when a catalogue has it)."""
    g.pop("focal_point", None)
    g.pop("ui_locales_override", None)
    if not request.path.startswith("/field"):
        return
    offered = field_locales(current_app)
    g.ui_locales_override = offered
    point = current_focal_point()
    if point is not None and not request.args.get("lang"):
        chosen = next((code for code in point.languages if code in offered), None)
        if chosen:
            g.user_locale = chosen


def source_labels() -> dict[str, str]:
    """From whom a focal point heard it, in the UI language."""
    return {"agent_smuggler": _("An agent or smuggler"), "relative_abroad": _("A relative abroad"),
            "social_media": _("Social media"), "neighbour": _("A neighbour"), "other": _("Someone else")}


@bp.app_context_processor
def _field_globals() -> dict[str, object]:
    if not request.path.startswith("/field"):
        return {}
    languages = runtime().languages
    return {"focal_point": current_focal_point(), "source_labels": source_labels(),
            "field_locales": [languages.get(code) for code in field_locales(current_app)]}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("")
@focal_point_required
@uses_microphone  # the voice note: a phone may record it from the page
def form() -> ResponseReturnValue:
    """The report form; each rendering carries a fresh submission id, so a double submit stores one report."""
    return _form_page(render_template("field/form.html", submission_id=uuid.uuid4().hex, sources=SOURCES,
                                      values={}, errors={}))


_FORM_POLICY = RECORDER_CONTENT_SECURITY_POLICY  # the voice note plays back before it is sent (static/field/voice.js)


def _form_page(html: str, status: int = 200) -> ResponseReturnValue:
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = _FORM_POLICY
    return response


@bp.post("/report")
@focal_point_required
@uses_microphone  # a refused submission shows the form again
def report() -> ResponseReturnValue:
    """Accept one report (form post, or the offline outbox's fetch); a repeat of the same id is a no-op."""
    point = current_focal_point()
    assert point is not None
    upload = request.files.get("voice_note")
    has_note = bool(upload and upload.filename)
    audio = b""
    if upload is not None:
        try:
            audio = upload.read(MAX_VOICE_NOTE_BYTES + 1) if has_note else b""
        finally:
            upload.close()  # a large upload is spooled to a temporary file: close it now, not at garbage collection
    try:
        data = load_submission(request.form.to_dict(), has_voice_note=has_note)
        note = check_voice_note(upload.mimetype, audio) if upload and has_note else None
    except InvalidSubmission as exc:
        return _invalid(exc.messages)
    except VoiceNoteRefused:
        return _invalid({"voice_note": [_("Only a voice note under 900 KB (ogg, mp3, m4a, amr, wav) can be sent.")]})
    result = submit_web_report(db.session(), data, note, point, runtime().intake_context(), utcnow(),
                               current_app.config["HOTLINE"].voice_notes_folder)
    reference = result.report.id if result.report is not None else result.contact.id
    thanks = url_for("field.thanks", reference=reference)
    if _wants_json():
        return jsonify(ok=True, created=result.created, reference=reference, next=thanks)
    return redirect(thanks, code=303)


def _invalid(messages: dict[str, Any]) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(ok=False, errors=messages), 422
    values = request.form.to_dict()
    return _form_page(render_template("field/form.html",
                                      submission_id=values.get("submission_id") or uuid.uuid4().hex,
                                      sources=SOURCES, values=values, errors=messages), 422)


@bp.get("/thanks/<int:reference>")
@focal_point_required
def thanks(reference: int) -> ResponseReturnValue:
    """The confirmation, in the focal point's language, with a link to report the next thing."""
    return render_template("field/thanks.html", reference=reference)


def outcome_labels() -> dict[str, str]:
    """What became of a report, in the UI language (hotline.field.outcomes)."""
    return {"received": _("Received"), "being_looked_at": _("Being looked at"), "answered": _("Answered")}


@bp.get("/my-reports")
@focal_point_required
def mine() -> ResponseReturnValue:
    """The signed-in focal point's own reports, newest first, and what became of each; nobody else's."""
    point = current_focal_point()
    assert point is not None
    reports = my_reports(db.session(), point.id, current_ui_code())
    return render_template("field/my_reports.html", reports=reports, outcomes=outcome_labels())


def _digits() -> dict[str, int]:
    return {"number_digits": NUMBER_DIGITS, "pin_digits": PIN_DIGITS}


@bp.route("/sign-in", methods=["GET", "POST"])
@field_pin_limits
def sign_in() -> ResponseReturnValue:
    """Sign in with the focal point number and PIN a supervisor gave."""
    if request.method != "POST":
        return render_template("field/sign_in.html", error=None, **_digits())
    number = request.form.get("number", "").strip()[:40]
    pin = request.form.get("pin", "")
    try:
        point = sign_in_with_pin(db.session(), number, pin, utcnow())
    except SignInRefused:
        db.session.commit()  # the failed attempt is audited and counts towards the waiting time
        # One message for every refusal: it must not tell a stranger which numbers exist or are being waited on.
        return render_template("field/sign_in.html", error=_("This number and PIN do not match."),
                               hint=_("After several wrong tries, wait a few minutes before trying again."),
                               number=number, **_digits()), 401
    field_log_in(point)
    return redirect(url_for("field.form"), code=303)


@bp.route("/link/<token>", methods=["GET", "POST"])
@field_link_limits
def link(token: str) -> ResponseReturnValue:
    """A one-time sign-in link: GET shows a button (link previews must not use it up), POST signs in."""
    if len(token) > 64:
        abort(404)
    if request.method != "POST":
        return render_template("field/link.html", token=token)
    try:
        point = sign_in_with_link(db.session(), token, utcnow())
    except SignInRefused:
        db.session.commit()
        return render_template("field/sign_in.html", error=_("This sign-in link has been used or withdrawn."),
                               number="", **_digits()), 401
    field_log_in(point)
    return redirect(url_for("field.form"), code=303)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the focal point session."""
    field_log_out()
    return redirect(url_for("field.sign_in"), code=303)
