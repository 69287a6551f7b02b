"""/console/phone: the operator says whether they take calls (available / busy / away) and gets softphone tokens."""

from __future__ import annotations

from flask import current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from hotline.auth.session import login_required
from hotline.channels.twilio.phone import TOKEN_LIFETIME, PhoneNotConfigured, access_token
from hotline.console.blueprint import bp, staff
from hotline.db import utcnow, writes
from hotline.extensions import db
from hotline.ivr.phone_views import operator_nodes
from hotline.operators.calls import waiting_for
from hotline.operators.models import Presence
from hotline.operators.presence import PHONE_ROLES, presence_status, seen, set_presence
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
    response = make_response(render_template("console/phone.html", presence=status, labels=labels,
                                             languages=user.languages or []))
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
