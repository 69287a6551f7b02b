"""TOTP second factor: the second sign-in step and enrolment pages (the checks are in hotline.auth.login).

Roles in ``totp_required_roles`` (operators, supervisors and admins by default) must enrol before using the
console; once enrolled, sign-in asks for a code after the password. Setting up or replacing the factor asks for the
current password (and a code from the current factor when replacing) in the same form.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pyotp
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.auth.login import EnrolRefused, LoginPolicy, LoginRefused, PendingInvalid, check_code, enrol_factor
from hotline.auth.models import User
from hotline.auth.otp import ISSUER, VALID_WINDOW, code_is_valid, open_secret, provisioning_uri, seal_secret
from hotline.auth.service import end_sessions
from hotline.auth.session import current_user, keep_this_session, log_in, login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.web.ratelimit import second_step_limits

__all__ = ["ISSUER", "VALID_WINDOW", "code_is_valid", "open_secret", "provisioning_uri", "seal_secret"]

PENDING = "totp_pending"
ENROLLING = "totp_enrolling"
PENDING_SECONDS = 300  # the second step must follow the password within five minutes

bp = Blueprint("totp", __name__, url_prefix="/console")


def login_policy() -> LoginPolicy:
    """The progressive-delay policy from the settings (login_max_failures, login_lockout_minutes)."""
    settings = current_app.config["HOTLINE"]
    return LoginPolicy(settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes))


def begin_second_step(user: User, nonce: str, target: str | None) -> ResponseReturnValue:
    """After a correct password: remember who is half signed in (not signed in), and ask for the code.

    ``nonce`` is the copy of ``User.login_nonce``: the server's copy decides whether this cookie still counts.
    """
    session.clear()
    session[PENDING] = {"uid": user.id, "nonce": nonce, "at": int(time.time()), "next": target}
    return redirect(url_for("totp.second_step"))


def _pending() -> dict[str, Any] | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int) \
            or not isinstance(pending.get("nonce"), str) \
            or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
@second_step_limits
def second_step() -> ResponseReturnValue:
    """The second login step: the six-digit code from the user's authenticator."""
    pending = _pending()
    if pending is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    if request.method != "POST":
        return render_template("auth/totp.html")
    try:
        user = check_code(db.session(), runtime().keys, pending["uid"], pending["nonce"],
                          request.form.get("code", ""), login_policy(), utcnow())
    except PendingInvalid:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    except LoginRefused:
        db.session.commit()  # the failure count must stick although the answer is an error
        return render_template("auth/totp.html", error=_(
            "That code was not accepted. Use the newest code; after several failed attempts, wait a few "
            "minutes before trying again.")), 401
    target = pending.get("next")
    log_in(user)
    return redirect(target if isinstance(target, str) and target else url_for("console.index"))


def _enrol_page(user: User, secret: str, error: str | None = None) -> str:
    return render_template("auth/totp_enrol.html", secret=secret, uri=provisioning_uri(secret, user.email),
                           replacing=user.totp_secret is not None, error=error)


@bp.route("/profile/totp", methods=["GET", "POST"])
@login_required()
def enrol() -> ResponseReturnValue:
    """Set up (or replace) the second factor: re-authenticate, show a new secret, confirm it with a code."""
    user = current_user()
    assert user is not None  # login_required
    if request.method != "POST" or ENROLLING not in session:
        session[ENROLLING] = pyotp.random_base32()
        if request.method == "POST":
            return redirect(url_for("totp.enrol"))
    secret = str(session[ENROLLING])
    if request.method != "POST":
        return _enrol_page(user, secret)
    try:
        enrol_factor(db.session(), runtime().keys, user, secret, request.form.get("password", ""),
                     request.form.get("current_code", ""), request.form.get("code", ""), login_policy(), utcnow())
    except EnrolRefused as refused:
        db.session.commit()  # failed re-authentications are counted like failed sign-ins
        return _enrol_page(user, secret, _("Your password (or your current code) was not accepted.")
                           if refused.identity else _("That code is not valid. Try the newest one.")), 400
    end_sessions(db.session(), user)  # a new factor: sessions opened without it end, this one goes on
    keep_this_session(user)
    session.pop(ENROLLING, None)
    flash(_("Two-step sign-in is on: your next sign-in asks for a code."))
    return redirect(url_for("console.profile"))
