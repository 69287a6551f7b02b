"""Checking a staff login: password, lock-out after repeated failures (flush only; the view's request commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.auth.passwords import hash_password, verify_password

# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password-but-long-enough")


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures lock an account, and for how long."""

    max_failures: int
    lockout: timedelta


class LoginRefused(Exception):
    """The login failed; ``locked`` tells a lock-out from a wrong e-mail or password (never which of the two)."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__("locked" if locked else "invalid")
        self.locked = locked


def authenticate(session: Session, email: str, password: str, policy: LoginPolicy, now: datetime) -> User:
    """The active user with this e-mail and password, or LoginRefused. Failures are counted and audited."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        raise LoginRefused()
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused(locked=True)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        locked = user.failed_logins >= policy.max_failures
        if locked:
            user.locked_until = now + policy.lockout
            user.failed_logins = 0
            record_event(session, user.email, "user.locked", "user", user.id)
        raise LoginRefused(locked=locked)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record_event(session, user.email, "user.login", "user", user.id)
    return user
