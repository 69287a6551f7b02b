"""TOTP second factor (RFC 6238, pyotp): enrolment, the second login step, secrets sealed with the app's keys.

The secret is sealed with AES-GCM under the app's sealing key (hotline.privacy.sealing), bound to the user's id,
so a copied database column opens for no other user and without the key. Supervisors and admins are asked to
enrol from their profile; once enrolled, their login asks for a code after the password.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.auth.service import end_sessions
from hotline.auth.session import current_user, keep_this_session, log_in, login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ops.ratelimit import second_step_limits
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.sealing import SealBroken, seal, unseal

ISSUER = "Hotline"
PENDING = "totp_pending"
ENROLLING = "totp_enrolling"
PENDING_SECONDS = 300  # the second step must follow the password within five minutes
VALID_WINDOW = 1  # accept the previous and next 30-second code too (clock drift)

bp = Blueprint("totp", __name__, url_prefix="/console")


def _binding(user_id: int) -> str:
    return f"totp-user-{user_id}"


def seal_secret(keys: PrivacyKeys, secret: str, user_id: int) -> bytes:
    """The stored form of a TOTP secret."""
    return seal(keys, secret, _binding(user_id))


def open_secret(keys: PrivacyKeys, sealed: bytes, user_id: int) -> str | None:
    """The TOTP secret, or None if it cannot be opened (another key, another user)."""
    try:
        return unseal(keys, sealed, _binding(user_id))
    except SealBroken:
        return None


def code_is_valid(secret: str, code: str, at: float | None = None) -> bool:
    """True when ``code`` (6 digits, spaces ignored) is valid for ``secret`` now, give or take one step."""
    digits = "".join(code.split())
    if not (len(digits) == 6 and digits.isdigit()):
        return False
    return bool(pyotp.TOTP(secret).verify(digits, for_time=at, valid_window=VALID_WINDOW))


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads (typed in, or pasted)."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER))


def needs_second_step(user: User) -> bool:
    """Whether this user's login continues with a TOTP code."""
    return user.totp_secret is not None


def begin_second_step(user: User, target: str | None) -> ResponseReturnValue:
    """After a correct password: remember who is half signed in (not signed in), and ask for the code."""
    session.clear()
    session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": target}
    return redirect(url_for("totp.second_step"))


@bp.route("/login/code", methods=["GET", "POST"])
@second_step_limits
def second_step() -> ResponseReturnValue:
    """The second login step: the six-digit code from the user's authenticator."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/totp.html")
    user = db.session.get(User, pending["uid"])
    secret = open_secret(runtime().keys, user.totp_secret, user.id) if user and user.totp_secret else None
    if user is None or not user.active or secret is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    if not code_is_valid(secret, request.form.get("code", "")):
        settings = current_app.config["HOTLINE"]
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = utcnow() + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
            session.pop(PENDING, None)
            record_event(db.session(), user.email, "user.locked", "user", user.id)
        db.session.commit()  # the failure count must stick although the answer is an error
        return render_template("auth/totp.html", error=_("That code is not valid. Try the newest one.")), 401
    target = pending.get("next")
    user.failed_logins = 0
    record_event(db.session(), user.email, "user.login_second_factor", "user", user.id)
    log_in(user)
    return redirect(target or url_for("console.index"))


@bp.route("/profile/totp", methods=["GET", "POST"])
@login_required()
def enrol() -> ResponseReturnValue:
    """Set up (or replace) the second factor: show a new secret, confirm it with a code, then store it sealed."""
    user = current_user()
    assert user is not None  # login_required
    if request.method == "GET" or ENROLLING not in session:
        session[ENROLLING] = pyotp.random_base32()
        if request.method == "POST":
            return redirect(url_for("totp.enrol"))
    secret = str(session[ENROLLING])
    if request.method == "POST":
        if not code_is_valid(secret, request.form.get("code", "")):
            return render_template("auth/totp_enrol.html", secret=secret, uri=provisioning_uri(secret, user.email),
                                   error=_("That code is not valid. Try the newest one.")), 400
        user.totp_secret = seal_secret(runtime().keys, secret, user.id)
        end_sessions(db.session(), user)  # a new factor: sessions opened without it end, this one goes on
        keep_this_session(user)
        session.pop(ENROLLING, None)
        record_event(db.session(), f"user:{user.id}", "user.totp_enrol", "user", user.id,
                     before={"totp": False}, after={"totp": True}, actor_user_id=user.id)
        flash(_("Two-step sign-in is on: your next sign-in asks for a code."))
        return redirect(url_for("console.profile"))
    return render_template("auth/totp_enrol.html", secret=secret, uri=provisioning_uri(secret, user.email))
