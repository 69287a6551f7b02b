"""/console/studio: the prompt studio. Supervisors (and admins) work on every language, translators on theirs.

Record or upload a prompt (normalised for the phone line), approve someone else's draft, roll back, review the
machine-drafted texts of the ivr, sms and web (console and field) catalogues, export a catalogue as .po.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from hotline.auth.models import Role, User
from hotline.auth.session import current_user, login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr.content import LiveSources
from hotline.ivr.runtime import set_live_sources
from hotline.settings import LOCALES_DIR
from hotline.studio import service
from hotline.studio.audio import AudioRejected
from hotline.studio.catalogues import entries, export_po, read_catalogue, text_status
from hotline.studio.coverage import TEXT_DOMAINS, coverage
from hotline.studio.models import PromptRecording
from hotline.studio.phone_views import init_studio_phone, staff_entry
from hotline.studio.runtime import init_live, live_content
from hotline.web.errors import accepts_uploads
from hotline.web.security import RECORDER_CONTENT_SECURITY_POLICY, uses_microphone

bp = Blueprint("studio", __name__, url_prefix="/console/studio")
STUDIO_ROLES = (Role.SUPERVISOR, Role.TRANSLATOR)
UPLOAD_LIMIT = 16 * 2**20  # a few minutes of uncompressed studio audio
REFUSALS = {
    "language": lazy_gettext("You do not work on this language."),
    "own_recording": lazy_gettext("Someone else must approve your recording."),
    "not_draft": lazy_gettext("Only a draft can be approved or set aside."),
    "not_superseded": lazy_gettext("Only an earlier approved version can be put back."),
    "text": lazy_gettext("Write a text of at most 2000 characters."),
    "placeholders": lazy_gettext("Keep every placeholder of the English text unchanged."),
    "domain": lazy_gettext("Check the form: something is missing or not valid."),
}
DOMAIN_LABELS = {"ivr": lazy_gettext("Phone line"), "sms": lazy_gettext("SMS replies"),
                 "messages": lazy_gettext("Console and field pages")}


def init_studio(app: Flask) -> None:
    """Register the studio's views and its overlay on what calls hear."""
    live = init_live(app)  # after the IVR content is loaded (init_voice)
    set_live_sources(app, LiveSources(content=live.content, audio=service.approved_audio, staff_entry=staff_entry))
    app.register_blueprint(bp)
    init_studio_phone(app)


def _user() -> User:
    user = current_user()
    if user is None:
        abort(401)
    return user


def _language(code: str) -> str:
    if code not in runtime().languages:
        abort(404)
    if not service.may_work_on(_user(), code):
        abort(403)
    return code


def _prompt(prompt: str) -> str:
    if prompt not in live_content().base.prompts.sources:
        abort(404)
    return prompt


def _recording(recording_id: int) -> PromptRecording:
    recording = db.session.get(PromptRecording, recording_id)
    if recording is None:
        abort(404)
    _language(recording.language)
    return recording


def _refused(refused: service.StudioRefused) -> None:
    db.session.rollback()
    flash(str(REFUSALS.get(refused.reason, REFUSALS["domain"])), "error")


@bp.get("")
@login_required(*STUDIO_ROLES)
def matrix() -> ResponseReturnValue:
    """The coverage matrix, language x prompt, for the languages this user works on."""
    codes = service.studio_languages(_user(), runtime().languages.codes)
    content = live_content().content(db.session())
    found = coverage(db.session(), content, codes, LOCALES_DIR)
    return render_template("studio/matrix.html", coverage=found, domains=TEXT_DOMAINS, domain_labels=DOMAIN_LABELS,
                           sources=content.prompts.sources)


@bp.get("/<lang>/<prompt>")
@login_required(*STUDIO_ROLES)
@uses_microphone
def prompt_page(lang: str, prompt: str) -> ResponseReturnValue:
    """One prompt in one language: its text, its versions, the recorder."""
    lang, prompt = _language(lang), _prompt(prompt)
    book = live_content().content(db.session()).prompts
    page = render_template("studio/prompt.html", lang=lang, prompt=prompt, source=book.sources[prompt],
                           draft=book.draft_text(prompt, lang), reviewed=book.reviewed.get((lang, prompt)),
                           resolved=book.resolve(prompt, lang), versions=service.versions(db.session(), lang, prompt),
                           user=_user())
    response = Response(page)
    response.headers["Content-Security-Policy"] = RECORDER_CONTENT_SECURITY_POLICY
    return response


@bp.post("/<lang>/<prompt>/recordings")
@login_required(*STUDIO_ROLES)
@accepts_uploads(UPLOAD_LIMIT)
def upload(lang: str, prompt: str) -> ResponseReturnValue:
    """A new version from the browser's recorder or a file: normalised, stored as a draft."""
    lang, prompt = _language(lang), _prompt(prompt)
    data = request.files.get("audio")
    source = "browser" if request.form.get("source") == "browser" else "upload"
    if data is None:
        flash(_("Choose or record an audio file."), "error")
        return redirect(url_for("studio.prompt_page", lang=lang, prompt=prompt), 303)
    try:
        body = data.read()
    finally:
        data.close()  # a large upload is spooled to a temporary file: closed here, not by the garbage collector
    try:
        recording = service.add_recording(db.session(), _user(), lang, prompt, body, source, utcnow())
    except AudioRejected:
        db.session.rollback()
        flash(_("That audio could not be used: it is unreadable, silent, or longer than two minutes."), "error")
        return redirect(url_for("studio.prompt_page", lang=lang, prompt=prompt), 303)
    flash(_("Version %(version)s saved as a draft: someone else must approve it before callers hear it.",
            version=recording.version))
    return redirect(url_for("studio.prompt_page", lang=lang, prompt=prompt), 303)


@bp.post("/recordings/<int:recording_id>/<action>")
@login_required(*STUDIO_ROLES)
def decide(recording_id: int, action: str) -> ResponseReturnValue:
    """Approve or set aside a draft, or put an earlier version back."""
    recording = _recording(recording_id)
    operations = {"approve": service.approve, "roll-back": service.roll_back}
    try:
        if action in operations:
            operations[action](db.session(), _user(), recording, utcnow())
        elif action == "reject":
            service.reject(db.session(), _user(), recording)
        else:
            abort(404)
    except service.StudioRefused as refused:
        _refused(refused)
        return redirect(url_for("studio.prompt_page", lang=recording.language, prompt=recording.prompt), 303)
    flash(_("Saved. The next call hears the approved version."))
    return redirect(url_for("studio.prompt_page", lang=recording.language, prompt=recording.prompt), 303)


@bp.get("/recordings/<int:recording_id>.wav")
@login_required(*STUDIO_ROLES)
def listen(recording_id: int) -> ResponseReturnValue:
    """Any version's audio, to listen before approving."""
    recording = _recording(recording_id)
    response = Response(recording.audio, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<lang>/<prompt>/text")
@login_required(*STUDIO_ROLES)
def review_prompt_text(lang: str, prompt: str) -> ResponseReturnValue:
    """A native speaker's text for one phone prompt."""
    lang, prompt = _language(lang), _prompt(prompt)
    source = live_content().base.prompts.sources[prompt]
    try:
        service.review_text(db.session(), _user(), ("ivr", lang, prompt, source), request.form.get("text", ""),
                            utcnow())
    except service.StudioRefused as refused:
        _refused(refused)
    else:
        flash(_("Reviewed text saved: it is in use from now on."))
    return redirect(url_for("studio.prompt_page", lang=lang, prompt=prompt), 303)


@bp.route("/texts/<domain>/<lang>", methods=["GET", "POST"])
@login_required(*STUDIO_ROLES)
def texts(domain: str, lang: str) -> ResponseReturnValue:
    """Review the entries of one text domain (sms, messages) in one language."""
    if domain not in TEXT_DOMAINS:
        abort(404)
    lang = _language(lang)
    if request.method == "POST":
        key = (domain, lang, request.form.get("context", ""), request.form.get("msgid", ""))
        known = {(e.context, e.msgid) for e in entries(read_catalogue(LOCALES_DIR, lang, domain))}
        if (key[2], key[3]) not in known:
            abort(400)
        try:
            service.review_text(db.session(), _user(), key, request.form.get("text", ""), utcnow())
        except service.StudioRefused as refused:
            _refused(refused)
        else:
            flash(_("Reviewed text saved: it is in use from now on."))
        return redirect(url_for("studio.texts", domain=domain, lang=lang, show=request.args.get("show")), 303)
    reviewed = {(ctx, msgid): text for (_, _, ctx, msgid), text
                in service.reviewed_texts(db.session(), domain, lang).items()}
    items = [(entry, text_status(entry, reviewed), reviewed.get((entry.context, entry.msgid)))
             for entry in entries(read_catalogue(LOCALES_DIR, lang, domain))]
    if request.args.get("show") != "all":
        items = [item for item in items if item[1] != "reviewed"]
    return render_template("studio/texts.html", domain=domain, lang=lang, items=items[:100], more=len(items) > 100,
                           domain_labels=DOMAIN_LABELS, show=request.args.get("show"))


@bp.get("/export/<domain>/<lang>.po")
@login_required(*STUDIO_ROLES)
def export(domain: str, lang: str) -> ResponseReturnValue:
    """The catalogue with the reviewed texts in place, to commit to hotline/locales/."""
    if domain not in ("ivr", *TEXT_DOMAINS):
        abort(404)
    lang = _language(lang)
    reviewed = {(ctx, msgid): text for (_, _, ctx, msgid), text
                in service.reviewed_texts(db.session(), domain, lang).items()}
    body = export_po(read_catalogue(LOCALES_DIR, lang, domain), reviewed)
    response = Response(body, mimetype="text/x-gettext-translation")
    response.headers["Content-Disposition"] = f'attachment; filename="{lang}-{domain}.po"'
    return response
