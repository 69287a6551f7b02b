"""/console/phone: the operator says whether they take calls (available / busy / away) and gets softphone tokens."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from hotline.audit.service import record_event
from hotline.auth.console import staff
from hotline.auth.session import login_required
from hotline.channels.twilio.phone import TOKEN_LIFETIME, PhoneNotConfigured, access_token
from hotline.context import runtime
from hotline.db import utcnow, writes
from hotline.extensions import db
from hotline.ivr.phone_views import dequeue_to_own_phone, operator_nodes
from hotline.operators.calls import NobodyWaiting, take_next_caller, waiting_for
from hotline.operators.models import OperatorPresence, Presence
from hotline.operators.own_phone import (
    BROWSER,
    PHONE,
    OwnPhoneRefused,
    clear_own_phone,
    normalised_number,
    set_answer_on,
    set_own_phone,
)
from hotline.operators.presence import PHONE_ROLES, presence_status, seen, set_presence
from hotline.operators.wrapup import (
    MAX_ANSWER_CHARS,
    OUTCOMES,
    call_of,
    caller_history,
    current_call,
    report_for_call,
    wrap_up,
)
from hotline.triage import actions
from hotline.triage.access import may_open_report
from hotline.triage.actions import ActionRefused, Coding
from hotline.web.console import bp, refusal
from hotline.web.security import SOFTPHONE_CONTENT_SECURITY_POLICY, uses_microphone


class PresenceForm(Schema):
    """The presence an operator chooses."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token

    status = fields.String(required=True, validate=validate.OneOf([str(p) for p in Presence]))


_PRESENCE_FORM = PresenceForm()


@bp.get("/phone")
@uses_microphone
@login_required(*PHONE_ROLES)
def phone() -> ResponseReturnValue:
    """The operator's phone: their presence and the softphone."""
    user = staff()
    status = presence_status(db.session(), user)
    labels = {Presence.AVAILABLE: _("Available for calls"), Presence.BUSY: _("Busy"), Presence.AWAY: _("Away")}
    row = db.session().get(OperatorPresence, user.id)
    response = make_response(render_template(
        "console/phone.html", presence=status, labels=labels, languages=user.languages or [],
        phone_hint=row.phone_hint if row is not None else None,
        answer_on=row.answer_on if row is not None else BROWSER))
    response.headers["Content-Security-Policy"] = SOFTPHONE_CONTENT_SECURITY_POLICY
    return response


@bp.get("/phone/waiting")
@login_required(*PHONE_ROLES)
def phone_waiting() -> ResponseReturnValue:
    """Callers waiting in the operator's languages: a count and the longest wait, never who they are."""
    user = staff()
    count, longest = waiting_for(db.session(), user.languages or [], operator_nodes(), utcnow())
    response = jsonify(waiting=count, longest_wait_seconds=longest)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/phone/presence")
@login_required(*PHONE_ROLES)
def change_presence() -> ResponseReturnValue:
    """Available, busy or away."""
    try:
        form = _PRESENCE_FORM.load(request.form)
    except ValidationError:
        flash(_("Check the form: something is missing or not valid."), "error")
        return redirect(url_for("console.phone"), 303)
    set_presence(db.session(), staff(), Presence(form["status"]), utcnow())
    flash(_("Your availability is saved."))
    return redirect(url_for("console.phone"), 303)


@bp.get("/phone/token")
@writes
@login_required(*PHONE_ROLES)
def phone_token() -> ResponseReturnValue:
    """A short-lived softphone access token; its identity is the operator's opaque softphone id."""
    row = seen(db.session(), staff(), utcnow())
    try:
        token = access_token(current_app.config["HOTLINE"], row.client_identity)
    except PhoneNotConfigured:
        return jsonify(error=_("The phone is not set up on this server.")), 503
    response = jsonify(token=token, identity=row.client_identity,
                       expires_in=int(TOKEN_LIFETIME.total_seconds()))
    response.headers["Cache-Control"] = "no-store"
    return response


def _blank_is_none(value: object) -> str | None:
    text = str(value or "").strip()
    return text or None


class WrapUpForm(Schema):
    """The operator's notes on a live call: the report's coding, the answer they gave, the outcome."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token

    type = fields.Function(deserialize=_blank_is_none, load_default=None)
    category = fields.Function(deserialize=_blank_is_none, load_default=None)
    code = fields.Function(deserialize=_blank_is_none, load_default=None)
    answer = fields.String(load_default="", validate=validate.Length(max=MAX_ANSWER_CHARS))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))


_WRAP_UP_FORM = WrapUpForm()


def _outcome_labels() -> dict[str, str]:
    return {"answered": _("Answered"), "abandoned": _("Abandoned in the queue"), "voicemail": _("Voicemail")}


@bp.get("/phone/call")
@writes  # the first look files the call's report
@login_required(*PHONE_ROLES)
def phone_call() -> ResponseReturnValue:
    """The panel of the call the operator is on: the caller's pseudonymous history and the report for this call
    (an HTML fragment the softphone shows; 204 when the operator is on no call). Never the caller's number."""
    session, user, now = db.session(), staff(), utcnow()
    call = current_call(session, user, now)
    if call is None:
        return "", 204
    report = report_for_call(session, call, runtime().intake_context(), now)
    history = [earlier for earlier in caller_history(session, report) if may_open_report(user, earlier)]
    response = make_response(render_template("console/_phone_call.html", call=call, report=report,
                                              contact=report.contact, history=history,
                                              taxonomy=runtime().taxonomy, outcomes=_outcome_labels()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/phone/calls/<int:call_id>")
@login_required(*PHONE_ROLES)
def phone_call_wrap_up(call_id: int) -> ResponseReturnValue:
    """Save the operator's wrap-up of a call they took: coding, answer given, outcome (only the operator who took it).
    """
    session, user, now = db.session(), staff(), utcnow()
    call = call_of(session, call_id, user)
    if call is None:
        abort(404)
    try:
        form = _WRAP_UP_FORM.load(request.form)
    except ValidationError:
        return _wrap_up_answer(False, _("Check the form: something is missing or not valid."), 400)
    try:
        if call.report_id is not None and (form["type"] or form["answer"]):
            report = actions.load_for_action(session, call.report_id, user, now)
            if form["type"]:
                coding = Coding(form["type"], form["category"], form["code"])
                actions.code_report(session, report, user, coding, runtime().taxonomy)
            if form["answer"].strip() and form["outcome"] == "answered":
                actions.mark_answered(session, report, user, now)
        wrap_up(session, call, form["outcome"], form["answer"], now)
    except ActionRefused as refused:
        session.rollback()
        return _wrap_up_answer(False, refusal(refused.reason), 409)
    # Counts only: the answer's words stay on the call.
    record_event(session, f"user:{user.id}", "call.wrap_up", "operator_call", call.id,
                 after={"outcome": call.outcome, "answer_chars": len(call.answer_note or ""),
                        "report_id": call.report_id}, actor_user_id=user.id)
    return _wrap_up_answer(True, _("Call notes saved."), 200)


def _wrap_up_answer(ok: bool, message: str, status: int) -> ResponseReturnValue:
    """JSON for the softphone's fetch (the call goes on); a redirect back to the phone page for a plain post."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=ok, message=message), status
    flash(message, "message" if ok else "error")
    return redirect(url_for("console.phone"), 303)


class OwnPhoneForm(Schema):
    """The operator's own number, typed twice; or ``remove``."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token

    number = fields.String(load_default="", validate=validate.Length(max=32))
    confirm = fields.String(load_default="", validate=validate.Length(max=32))
    remove = fields.Boolean(load_default=False)


class AnswerOnForm(Schema):
    """Where the operator takes calls."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token

    answer_on = fields.String(required=True, validate=validate.OneOf([BROWSER, PHONE]))


_OWN_PHONE_FORM, _ANSWER_ON_FORM = OwnPhoneForm(), AnswerOnForm()


def _own_phone_refusal(reason: str) -> str:
    texts: dict[str, str] = {
        "not_a_number": _("That is not a phone number we can call. Write it with its country code (+…)."),
        "not_the_same": _("The two numbers are not the same."),
        "no_number": _("Save your phone number first.")}
    return texts.get(reason) or _("Check the form: something is missing or not valid.")


@bp.post("/phone/number")
@login_required(*PHONE_ROLES)
def own_phone_number() -> ResponseReturnValue:
    """Save (typed twice) or remove the operator's own number: sealed at once, only its last two digits shown."""
    session, user, now = db.session(), staff(), utcnow()
    try:
        form = _OWN_PHONE_FORM.load(request.form)
        if form["remove"]:
            clear_own_phone(session, user, now)
            record_event(session, f"user:{user.id}", "operator.phone_removed", "user", user.id, actor_user_id=user.id)
            flash(_("Your phone number is removed: you take calls in the browser."))
            return redirect(url_for("console.phone"), 303)
        number = normalised_number(form["number"], form["confirm"])
    except ValidationError:
        flash(_("Check the form: something is missing or not valid."), "error")
        return redirect(url_for("console.phone"), 303)
    except OwnPhoneRefused as refused:
        flash(_own_phone_refusal(refused.reason), "error")
        return redirect(url_for("console.phone"), 303)
    row = set_own_phone(session, user, number, runtime().keys, now)
    # The audit trail, like every page, knows the number by its last two digits only.
    record_event(session, f"user:{user.id}", "operator.phone_set", "user", user.id,
                 after={"ends_in": row.phone_hint}, actor_user_id=user.id)
    flash(_("Your phone number ending in %(digits)s is saved.", digits=row.phone_hint))
    return redirect(url_for("console.phone"), 303)


@bp.post("/phone/answer-on")
@login_required(*PHONE_ROLES)
def answer_on() -> ResponseReturnValue:
    """Take calls in the browser or on the operator's own phone."""
    try:
        form = _ANSWER_ON_FORM.load(request.form)
        set_answer_on(db.session(), staff(), form["answer_on"], utcnow())
    except ValidationError:
        flash(_("Check the form: something is missing or not valid."), "error")
    except OwnPhoneRefused as refused:
        flash(_own_phone_refusal(refused.reason), "error")
    else:
        flash(_("Saved."))
    return redirect(url_for("console.phone"), 303)


@bp.post("/phone/ring")
@login_required(*PHONE_ROLES)
def ring_own_phone() -> ResponseReturnValue:
    """Put the next caller of the operator's languages through to the operator's own phone (Twilio dials it with a
    whisper; the operator presses 1 to take the call, otherwise the caller goes back to the queue)."""
    session, user, now = db.session(), staff(), utcnow()
    row = session.get(OperatorPresence, user.id)
    if row is None or row.answer_on != PHONE or row.phone_sealed is None:
        flash(_own_phone_refusal("no_number"), "error")
        return redirect(url_for("console.phone"), 303)
    try:
        take_next_caller(session, user, operator_nodes(), now, dequeue_to_own_phone, via=PHONE)
    except NobodyWaiting:
        flash(_("Nobody is waiting in your languages."))
        return redirect(url_for("console.phone"), 303)
    flash(_("Your phone will ring: press 1 to take the call."))
    return redirect(url_for("console.phone"), 303)
