"""/console/profile: the signed-in user's UI language."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.audit.service import record_event
from hotline.auth.session import login_required
from hotline.console.blueprint import bp, staff
from hotline.context import runtime
from hotline.extensions import db


@bp.route("/profile", methods=["GET", "POST"])
@login_required()
def profile() -> ResponseReturnValue:
    """Choose the console's language."""
    user = staff()
    choices = current_app.config["HOTLINE"].ui_locales
    if request.method == "POST":
        chosen = request.form.get("ui_locale", "")
        if chosen not in choices:
            flash(_("Check the form: something is missing or not valid."), "error")
            return redirect(url_for("console.profile"), 303)
        record_event(db.session(), f"user:{user.id}", "user.ui_locale", "user", user.id,
                     before={"ui_locale": user.ui_locale}, after={"ui_locale": chosen}, actor_user_id=user.id)
        user.ui_locale = chosen
        g.user_locale = chosen
        flash(_("Your language is saved."))
        return redirect(url_for("console.profile"), 303)
    return render_template("console/profile.html", choices=[runtime().languages.get(c) for c in choices])
