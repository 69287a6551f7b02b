"""Staff sign-in and sign-out at /console/login and /console/logout."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.auth.login import LoginRefused, check_password
from hotline.auth.service import end_sessions
from hotline.auth.session import current_user, log_in, log_out
from hotline.auth.totp import begin_second_step, login_policy
from hotline.db import utcnow
from hotline.extensions import db
from hotline.web.browser_only import browser_only
from hotline.web.ratelimit import staff_sign_in_limits
from hotline.web.redirects import safe_next

bp = Blueprint("auth", __name__, url_prefix="/console")


@bp.before_app_request
@browser_only
def _load_staff() -> None:
    """Load the signed-in user first, so the page is in the language they chose (hotline.i18n reads it)."""
    if "staff" in session and not request.path.startswith(("/twilio/", "/api/", "/static/")):
        current_user()


@bp.app_context_processor
def _staff_user() -> dict[str, object]:
    return {"staff_user": current_user()}


def _landing() -> str:
    return url_for("console.index") if "console.index" in current_app.view_functions else url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@staff_sign_in_limits
def login() -> ResponseReturnValue:
    """The sign-in form; on success a fresh session and a redirect to where the user was going."""
    target = safe_next(request.values.get("next"))
    if request.method != "POST":
        if current_user() is not None:
            return redirect(target or _landing())
        return render_template("auth/login.html", next=target)
    try:
        accepted = check_password(db.session(), request.form.get("email", ""), request.form.get("password", ""),
                                  login_policy(), utcnow())
    except LoginRefused:
        db.session.commit()  # the failure count must stick although the answer is an error
        # One answer for an unknown, inactive, waiting or wrong-password account: it says nothing about which.
        return render_template("auth/login.html", next=target, email=request.form.get("email", ""), error=_(
            "Wrong e-mail address or password, or too many attempts in a row: wait a few minutes, then try again."
        )), 401
    if accepted.pending_nonce is not None:
        return begin_second_step(accepted.user, accepted.pending_nonce, target)
    log_in(accepted.user)
    return redirect(target or _landing())


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out (POST only, CSRF-checked, so a link elsewhere cannot sign anyone out).

    Clearing this browser's cookie is not enough, since a copy of a signed cookie stays valid: the user's session
    epoch moves on, which ends every session they hold, here and elsewhere.
    """
    user = current_user()
    if user is not None:
        end_sessions(db.session(), user)
    log_out()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))
