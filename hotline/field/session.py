"""The focal point's session: its own key in the signed cookie, apart from the staff session.

A focal point's session never carries the staff key, so ``hotline.auth.session.current_user()`` is None for them
and every /console view refuses them. Signing in clears whatever session was there (session fixation).

The cookie carries the focal point's credential epoch at sign-in; the server's epoch moves on when a supervisor
issues new credentials or revokes them, so every session opened before ends at its next request, on every phone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, redirect, session, url_for
from flask.typing import ResponseReturnValue

from hotline.extensions import db
from hotline.field.models import FocalPoint

P = ParamSpec("P")
R = TypeVar("R")
KEY = "field"
MAX_AGE_SECONDS = 30 * 24 * 3600  # focal points sign in on their own phone, rarely: a month


def field_log_in(point: FocalPoint) -> None:
    """Start a focal point session (staff sign-in, if any, is dropped)."""
    session.clear()
    session[KEY] = {"fp": point.id, "epoch": point.credential_epoch, "since": int(time.time())}
    session.permanent = True
    g.focal_point = point


def field_log_out() -> None:
    """End the focal point session."""
    session.clear()
    g.focal_point = None


def current_focal_point() -> FocalPoint | None:
    """The signed-in focal point of this request, or None (absent, expired, revoked, credentials since renewed)."""
    if "focal_point" in g:
        cached: FocalPoint | None = g.focal_point
        return cached
    g.focal_point = point = _load()
    return point


def _load() -> FocalPoint | None:
    state = session.get(KEY)
    if state is None:
        return None
    if not isinstance(state, dict) or not isinstance(state.get("fp"), int) or not isinstance(state.get("epoch"), int):
        session.pop(KEY, None)  # also a session from before epochs existed: it signs in again
        return None
    since = int(state.get("since", 0))
    if time.time() - since > MAX_AGE_SECONDS:
        session.pop(KEY, None)
        return None
    point = db.session.get(FocalPoint, state["fp"])
    if point is None or point.revoked_at is not None or point.credential_epoch != state["epoch"]:
        session.pop(KEY, None)
        return None
    return point


View = Callable[P, ResponseReturnValue]


def focal_point_required(view: View[P]) -> View[P]:
    """Guard a /field view: visitors without a valid focal point session go to the field sign-in page."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_focal_point() is None:
            return redirect(url_for("field.sign_in"))
        return view(*args, **kwargs)

    return guarded
