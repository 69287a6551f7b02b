"""Who is signed in: the staff session (cookie-signed), its timeouts, and the role guard for views.

The contract every console, trends and field-supervision view relies on:
``current_user()`` gives the signed-in, active User or None; ``login_required(*roles)`` guards a view
(admins pass every role check); ``log_in(user)`` starts a fresh session and ``log_out()`` ends it.

The cookie is only signed, so a copy of it stays valid until it times out unless the server can refuse it: each
session carries the user's ``session_epoch`` from sign-in, and a session whose epoch is not the user's current one
is over. Bumping the epoch (``hotline.auth.service.end_sessions``) ends every session of the user at once.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.auth.models import Role, User
from hotline.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
_KEY = "staff"


def log_in(user: User) -> None:
    """Start a new session for ``user``: everything from before login is dropped (session fixation)."""
    session.clear()
    now = int(time.time())
    session[_KEY] = {"uid": user.id, "since": now, "seen": now, "nonce": secrets.token_hex(8),
                     "epoch": user.session_epoch}
    session.permanent = False
    g.staff_user = user
    g.user_locale = user.ui_locale


def keep_this_session(user: User) -> None:
    """After ``end_sessions(user)`` from this request: carry this session over to the user's new epoch.

    Every other session of the user stays ended. The sign-in time is kept, so the absolute timeout still counts
    from the real sign-in; the nonce changes, so the cookie from before is not the one that goes on.
    """
    state = session.get(_KEY)
    if isinstance(state, dict) and state.get("uid") == user.id:
        session[_KEY] = {**state, "epoch": user.session_epoch, "nonce": secrets.token_hex(8)}


def log_out() -> None:
    """End the session."""
    session.clear()
    g.staff_user = None


# Requests a page makes by itself (the live queue's polling): they never count as activity, so an open queue does not
# keep an unattended console signed in past its idle time.
_PASSIVE_ENDPOINTS = {"console.queue_updates"}


def current_user() -> User | None:
    """The signed-in, active user of this request, or None (absent, expired or deactivated)."""
    if "staff_user" in g:
        cached: User | None = g.staff_user
        return cached
    user = _load_user()
    g.staff_user = user
    if user is not None:
        g.user_locale = user.ui_locale
    return user


def _load_user() -> User | None:
    state = session.get(_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("uid"), int):
        return None
    settings = current_app.config["HOTLINE"]
    now = int(time.time())
    if now - int(state.get("since", 0)) > settings.session_absolute_hours * 3600 or \
            now - int(state.get("seen", 0)) > settings.session_idle_minutes * 60:
        session.clear()
        return None
    user = db.session.get(User, state["uid"])
    if user is None or not user.active or state.get("epoch") != user.session_epoch:
        session.clear()
        return None
    # Refresh the idle clock at most once a minute (fewer cookie rewrites), and never for a page's own polling.
    if now - int(state["seen"]) >= 60 and request.endpoint not in _PASSIVE_ENDPOINTS:
        session[_KEY] = {**state, "seen": now}
    return user


def has_role(user: User | None, *roles: Role | str) -> bool:
    """True when ``user`` holds one of ``roles`` (any role when none are given); admins hold them all."""
    if user is None:
        return False
    return not roles or user.role == Role.ADMIN or user.role in {str(role) for role in roles}


View = Callable[P, ResponseReturnValue]
_ENROLMENT_ENDPOINTS = {"totp.enrol"}


def _must_enrol(user: User) -> bool:
    """A user whose role requires TOTP and who has none yet may only reach the enrolment page."""
    required = current_app.config["HOTLINE"].totp_required_roles
    return user.role in required and user.totp_secret is None and request.endpoint not in _ENROLMENT_ENDPOINTS


def login_required(*roles: Role | str) -> Callable[[View[P]], View[P]]:
    """Guard a view: anonymous visitors go to the login page, signed-in users without the role get 403."""

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            user = current_user()
            if user is None:
                target = request.full_path if request.query_string else request.path
                return redirect(url_for("auth.login", next=target))
            if not has_role(user, *roles):
                abort(403)
            if _must_enrol(user):
                flash(_("Your role needs two-step sign-in: set it up to continue."))
                return redirect(url_for("totp.enrol"))
            return view(*args, **kwargs)

        return guarded

    return decorate
