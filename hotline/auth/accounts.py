"""Managing staff accounts after creation: deactivate, reactivate, reset or change a password, reset the second
factor, list and revoke API tokens (flush only; the caller commits).

Every change is audited (never a password or a token) and every change that touches how a user signs in ends
their sessions (``end_sessions``), so a stolen cookie dies with the credential it was obtained with.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.login import LoginPolicy
from hotline.auth.models import ApiToken, User
from hotline.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from hotline.auth.service import AccountError, end_sessions
from hotline.db import utcnow

MAX_PASSWORD_LENGTH = 1024  # as NewUserSchema
GENERATED_PASSWORD_BYTES = 15  # 20 URL-safe characters, ~120 bits


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a label for the audit trail ("cli", "user:7") and the user's id when there is one."""

    label: str
    user_id: int | None = None


CLI = Actor("cli")


def find_user(session: Session, email: str) -> User:
    """The user with this e-mail (any case), or AccountError."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"email: no user {email}")
    return user


def list_users(session: Session) -> Sequence[User]:
    """Every user, by e-mail."""
    return session.scalars(select(User).order_by(User.email)).all()


def check_password_policy(password: str) -> None:
    """AccountError unless ``password`` is acceptable (the length rule of ``create_user``)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"password: use {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")


def _audit(session: Session, actor: Actor, action: str, user: User, before: dict[str, object] | None = None,
           after: dict[str, object] | None = None) -> None:
    record_event(session, actor.label, action, "user", user.id, before=before, after=after,
                 actor_user_id=actor.user_id)


def set_active(session: Session, user: User, active: bool, actor: Actor) -> bool:
    """Deactivate (ending every session) or reactivate ``user``; False when nothing changed.

    Nobody deactivates themselves: the last admin could otherwise lock everyone out of the admin pages.
    """
    if not active and actor.user_id == user.id:
        raise AccountError("user: you cannot deactivate your own account")
    if user.active == active:
        return False
    user.active = active
    if not active:
        end_sessions(session, user)
    else:  # a fresh start: failures from before the deactivation do not count
        user.failed_logins = 0
        user.locked_until = None
    _audit(session, actor, "user.activate" if active else "user.deactivate", user,
           {"active": not active}, {"active": active})
    return True


def reset_password(session: Session, user: User, actor: Actor, password: str | None = None) -> str | None:
    """Set ``password`` (or a generated one, returned to be shown once), lift a lock-out, end every session."""
    generated = None
    if password is None or password == "":
        password = generated = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    check_password_policy(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(session, user)
    _audit(session, actor, "user.password_reset", user)
    return generated


def change_own_password(session: Session, user: User, current: str, new: str, policy: LoginPolicy) -> None:
    """A signed-in user changes their password: the current one is required; every session of theirs ends
    (the view carries the one making the change over, with ``keep_this_session``).

    Wrong current passwords count as failed sign-ins: whoever holds a stolen session cannot guess the password
    at leisure; at the limit the account locks and every session, theirs included, ends.
    """
    if not verify_password(user.password_hash, current):
        user.failed_logins += 1
        if user.failed_logins >= policy.max_failures:
            user.failed_logins = 0
            user.locked_until = utcnow() + policy.lockout
            end_sessions(session, user)
            _audit(session, Actor(f"user:{user.id}", user.id), "user.locked", user)
            raise AccountError("locked: too many wrong current passwords")
        raise AccountError("current_password: that is not your current password")
    check_password_policy(new)
    if new == current:
        raise AccountError("new_password: choose a password other than the current one")
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    end_sessions(session, user)
    _audit(session, Actor(f"user:{user.id}", user.id), "user.password_change", user)


def reset_totp(session: Session, user: User, actor: Actor) -> bool:
    """Remove the second factor (a lost phone) and end every session; False when there was none.

    If the role requires one, the user sets a new one up at their next sign-in, before anything else.
    """
    if user.totp_secret is None:
        return False
    user.totp_secret = None
    end_sessions(session, user)
    _audit(session, actor, "user.totp_reset", user, {"totp": True}, {"totp": False})
    return True


def list_tokens(session: Session, user: User | None = None) -> Sequence[ApiToken]:
    """API tokens (of ``user``, or everyone's), newest first; their users are loaded with them."""
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return session.scalars(query).all()


def find_token(session: Session, prefix_or_id: str) -> ApiToken:
    """The token with this id or this prefix (the first 12 characters printed at creation), or AccountError."""
    key = prefix_or_id.strip()
    condition = ApiToken.prefix == key
    if key.isdigit():
        condition = or_(condition, ApiToken.id == int(key))
    found = session.scalars(select(ApiToken).where(condition).limit(2)).all()
    if not found:
        raise AccountError(f"token: no API token {key}")
    if len(found) > 1:
        raise AccountError(f"token: {key} matches more than one token; give its id")
    return found[0]


def revoke_token(session: Session, token: ApiToken, actor: Actor) -> bool:
    """Revoke ``token`` (refused with 401 from now on); False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record_event(session, actor.label, "api_token.revoke", "api_token", token.id,
                 after={"user_id": token.user_id, "prefix": token.prefix}, actor_user_id=actor.user_id)
    return True
