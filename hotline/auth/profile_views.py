"""/console/profile: the signed-in user's UI language and password."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.audit.service import record_event
from hotline.auth.accounts import change_own_password
from hotline.auth.console import staff
from hotline.auth.login import LoginPolicy
from hotline.auth.passwords import MIN_PASSWORD_LENGTH
from hotline.auth.phone_pin import PHONE_ROLES, IssuedPin, PhonePinRefused, issue_own_pin, phone_number_of
from hotline.auth.service import AccountError
from hotline.auth.session import keep_this_session, login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.web.console import bp
from hotline.web.redirects import safe_next


@bp.route("/profile", methods=["GET", "POST"])
@login_required()
def profile() -> ResponseReturnValue:
    """Choose the console's language (here, or from the language list in every page's header, which sends
    ``next``: the page to go back to)."""
    user = staff()
    choices = current_app.config["HOTLINE"].ui_locales
    if request.method == "POST":
        back = safe_next(request.form.get("next"))
        chosen = request.form.get("ui_locale", "")
        if chosen not in choices:
            flash(_("Check the form: something is missing or not valid."), "error")
            return redirect(back or url_for("console.profile"), 303)
        if chosen != user.ui_locale:
            record_event(db.session(), f"user:{user.id}", "user.ui_locale", "user", user.id,
                         before={"ui_locale": user.ui_locale}, after={"ui_locale": chosen}, actor_user_id=user.id)
        user.ui_locale = chosen
        g.user_locale = chosen
        if back:
            return redirect(back, 303)
        flash(_("Your language is saved."))
        return redirect(url_for("console.profile"), 303)
    return _render_profile()


def _render_profile(issued: IssuedPin | None = None) -> ResponseReturnValue:
    user = staff()
    choices = current_app.config["HOTLINE"].ui_locales
    phone_roles = user.role in PHONE_ROLES
    response = make_response(render_template(
        "console/profile.html", choices=[runtime().languages.get(c) for c in choices], min_length=MIN_PASSWORD_LENGTH,
        phone_roles=phone_roles, phone_number=phone_number_of(db.session(), user) if phone_roles else None,
        issued=issued))
    response.headers["Cache-Control"] = "private, no-store"  # a new PIN is shown once, in this page alone
    return response


@bp.post("/profile/phone-pin")
@login_required()
def phone_pin() -> ResponseReturnValue:
    """A translator, supervisor or admin gets a new staff number and PIN for recording prompts by phone (current
    password required); shown once, in the answer itself (never in a flash message: the session cookie is only
    signed)."""
    user = staff()
    if user.role not in PHONE_ROLES:
        abort(403)
    try:
        issued = issue_own_pin(db.session(), user, request.form.get("current_password", ""), _login_policy(),
                               utcnow())
    except AccountError as error:
        flash(_password_refusal(error), "error")
        return redirect(url_for("console.profile"), 303)
    except PhonePinRefused:
        abort(403)
    return _render_profile(issued)


def _login_policy() -> LoginPolicy:
    settings = current_app.config["HOTLINE"]
    return LoginPolicy(settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes))


def _password_refusal(error: AccountError) -> str:
    field = str(error).split(":", 1)[0]
    if field == "current_password":
        return str(_("That is not your current password."))
    if field == "locked":
        return str(_("Too many failed attempts: this account is locked for a while. Try again later."))
    if field == "new_password":
        return str(_("Choose a password other than the current one."))
    return str(_("Use a password of at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))


@bp.post("/profile/password")
@login_required()
def change_password() -> ResponseReturnValue:
    """Change one's own password (the current one is required): every other session of the user ends, this one
    goes on with the new epoch."""
    user = staff()
    form = request.form
    if form.get("new_password", "") != form.get("new_password_again", ""):
        flash(_("The two new passwords are not the same."), "error")
        return redirect(url_for("console.profile"), 303)
    try:
        change_own_password(db.session(), user, form.get("current_password", ""), form.get("new_password", ""),
                            _login_policy())
    except AccountError as error:
        flash(_password_refusal(error), "error")
        return redirect(url_for("console.profile"), 303)
    keep_this_session(user)
    flash(_("Your password is changed; you are signed out everywhere else."))
    return redirect(url_for("console.profile"), 303)
