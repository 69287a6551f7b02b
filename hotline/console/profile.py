"""/console/profile: the signed-in user's UI language and password."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.audit.service import record_event
from hotline.auth.accounts import change_own_password
from hotline.auth.login import LoginPolicy
from hotline.auth.passwords import MIN_PASSWORD_LENGTH
from hotline.auth.service import AccountError
from hotline.auth.session import keep_this_session, login_required
from hotline.console.blueprint import bp, staff
from hotline.context import runtime
from hotline.extensions import db
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
    return render_template("console/profile.html", choices=[runtime().languages.get(c) for c in choices],
                           min_length=MIN_PASSWORD_LENGTH)


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
