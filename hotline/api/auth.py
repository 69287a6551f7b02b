"""Bearer tokens for /api/v1: ``Authorization: Bearer htl_...``, looked up by SHA-256, scoped by the user's role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.api.errors import ApiError
from hotline.auth.models import ApiToken, Role, TokenScope, User
from hotline.auth.passwords import token_digest
from hotline.auth.session import has_role
from hotline.db import utcnow
from hotline.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
READ_TRENDS = (Role.ANALYST, Role.SUPERVISOR)  # admins pass every role check
PEER_SCOPE = TokenScope.PEER
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is rewritten at most once a minute


def authenticate() -> User:
    """The active user behind this request's bearer token; ApiError(401) otherwise."""
    return authenticate_token().user


def authenticate_token() -> ApiToken:
    """This request's valid bearer token (its user active); ApiError(401) otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Send an API token as 'Authorization: Bearer <token>' "
                            "(create one with `hotline api-token create EMAIL`).")
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token.strip())))
    now = utcnow()
    if found is None:
        raise ApiError(401, "This API token is not known.")
    if found.revoked_at is not None:
        raise ApiError(401, "This API token has been revoked.")
    if found.expires_at is not None and found.expires_at <= now:
        raise ApiError(401, "This API token has expired.")
    if not found.user.active:
        raise ApiError(401, "The account this API token belongs to is deactivated.")
    if found.last_used_at is None or now - found.last_used_at >= _TOUCH_EVERY:
        token_id = found.id

        def touch(session: Session) -> None:
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))

        # The API only reads (its GET requests' sessions are read-only): the last use is written apart, once the
        # request has succeeded, so a long export does not hold the write lock for a timestamp.
        db.write_after_commit(db.session(), touch)
    return found


def token_required(*roles: Role | str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard an API view: a valid bearer token whose user holds one of ``roles`` (401, then 403)."""
    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            token = authenticate_token()
            user = token.user
            if token.scope is not None:
                raise ApiError(403, f"A token of scope '{token.scope}' may only read the regional feed.")
            if not has_role(user, *roles):
                allowed = ", ".join([str(role) for role in roles] + ["admin"])
                raise ApiError(403, f"A {user.role} may not use this endpoint; it needs one of: {allowed}.")
            g.api_user = user
            return view(*args, **kwargs)
        return guarded
    return decorate


def peer_token_required(view: Callable[P, R]) -> Callable[P, R]:
    """Guard the regional feed: a valid bearer token of the ``peer`` scope (401, then 403)."""
    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        token = authenticate_token()
        if token.scope != PEER_SCOPE:
            raise ApiError(403, "The regional feed needs a token of scope 'peer' "
                                "(`hotline api-token create EMAIL --scope peer`).")
        g.api_user = token.user
        return view(*args, **kwargs)
    return guarded
