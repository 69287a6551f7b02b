"""/console/accounts: admins manage staff accounts (deactivate, reactivate, reset a password or the second factor)
and their API tokens (list, revoke). Every change is a CSRF-checked POST, audited by hotline.auth.accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from hotline.auth.accounts import (
    Actor,
    list_tokens,
    list_users,
    reset_password,
    reset_totp,
    revoke_token,
    set_active,
)
from hotline.auth.console import staff
from hotline.auth.models import ApiToken, Role, User
from hotline.auth.passwords import MIN_PASSWORD_LENGTH
from hotline.auth.service import AccountError
from hotline.auth.session import keep_this_session, login_required
from hotline.db import utcnow
from hotline.extensions import db
from hotline.web.console import bp

ADMINS = (Role.ADMIN,)


def _actor() -> Actor:
    admin = staff()
    return Actor(f"user:{admin.id}", admin.id)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _refusal(error: AccountError) -> str:
    field = str(error).split(":", 1)[0]
    if field == "password":
        return str(_("Use a password of at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))
    if field == "user":
        return str(_("You cannot deactivate your own account."))
    return str(_("Check the form: something is missing or not valid."))


def _users_page(**context: object) -> ResponseReturnValue:
    counts = dict(db.session.execute(
        select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
        .group_by(ApiToken.user_id)).all())
    return render_template("console/accounts.html", users=list_users(db.session()), token_counts=counts,
                           now=utcnow(), min_length=MIN_PASSWORD_LENGTH, **context)


@bp.get("/accounts")
@login_required(*ADMINS)
def accounts() -> ResponseReturnValue:
    """Every staff account, with what an admin can do to it."""
    return _users_page()


@bp.post("/accounts/<int:user_id>/active")
@login_required(*ADMINS)
def account_active(user_id: int) -> ResponseReturnValue:
    """Deactivate (ending the user's sessions at once) or reactivate an account."""
    user = _user(user_id)
    active = request.form.get("active") == "1"
    try:
        set_active(db.session(), user, active, _actor())
    except AccountError as error:
        flash(_refusal(error), "error")
        return redirect(url_for("console.accounts"), 303)
    flash(_("%(email)s can sign in again.", email=user.email) if active else
          _("%(email)s is deactivated and signed out everywhere.", email=user.email))
    return redirect(url_for("console.accounts"), 303)


@bp.post("/accounts/<int:user_id>/password")
@login_required(*ADMINS)
def account_password(user_id: int) -> ResponseReturnValue:
    """Set a password the admin chose, or generate one and show it once (on this page, never in a cookie)."""
    user = _user(user_id)
    admin = staff()
    try:
        generated = reset_password(db.session(), user, _actor(), request.form.get("password", "") or None)
    except AccountError as error:
        flash(_refusal(error), "error")
        return redirect(url_for("console.accounts"), 303)
    if user.id == admin.id:
        keep_this_session(admin)
    if generated is None:
        flash(_("The password of %(email)s is changed and their sessions have ended.", email=user.email))
        return redirect(url_for("console.accounts"), 303)
    return _users_page(generated_for=user, generated=generated)


@bp.post("/accounts/<int:user_id>/totp")
@login_required(*ADMINS)
def account_totp(user_id: int) -> ResponseReturnValue:
    """Remove a user's second factor (a lost phone): their sessions end and they set up a new one."""
    user = _user(user_id)
    admin = staff()
    if reset_totp(db.session(), user, _actor()):
        if user.id == admin.id:
            keep_this_session(admin)
        flash(_("Two-step sign-in of %(email)s is reset and their sessions have ended.", email=user.email))
    return redirect(url_for("console.accounts"), 303)


@bp.get("/accounts/<int:user_id>/tokens")
@login_required(*ADMINS)
def account_tokens(user_id: int) -> ResponseReturnValue:
    """A user's API tokens: prefix, name, dates; never the token (only its hash is stored)."""
    user = _user(user_id)
    return render_template("console/account_tokens.html", user=user, tokens=list_tokens(db.session(), user),
                           now=utcnow())


@bp.post("/accounts/tokens/<int:token_id>/revoke")
@login_required(*ADMINS)
def account_token_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one API token: the API refuses it from now on."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if revoke_token(db.session(), token, _actor()):
        flash(_("The token %(prefix)s is revoked.", prefix=token.prefix))
    return redirect(url_for("console.account_tokens", user_id=token.user_id), 303)
