"""Checking a staff sign-in: password, then (when enrolled) a TOTP code, with progressive delays (flush only).

The rules, per account (ASVS V2.2.1, V2.8.4):

- Wrong passwords and wrong codes are counted apart (``failed_logins``, ``code_failures``) and both are reset only
  by a full sign-in (password and, when enrolled, code), so a known password cannot wipe the code count.
- After ``free_failures`` failures in a row each further attempt waits 1, 2, 4... seconds, up to ``longest_delay``
  (``locked_until``). An attempt inside the wait is refused before the password or code is looked at, and is not
  counted: a stranger can slow an account down, never lock it for long.
- Unknown, inactive, waiting and wrong-password attempts raise the same LoginRefused, after the same password-hash
  work, so the answer tells nobody whether an account exists or is being attacked.
- The half-signed-in state between the steps is bound to ``login_nonce`` on the user: a delay or a full sign-in
  clears it, so a cookie copied from before either is dead. A code's time step is stored and never accepted twice.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.auth.otp import matching_step, open_secret, seal_secret
from hotline.auth.passwords import hash_password, verify_password
from hotline.privacy.keys import PrivacyKeys

# Verified against when the e-mail is unknown or the account must wait, so every refusal costs one argon2 check.
_DUMMY_HASH = hash_password("not-a-real-password-but-long-enough")
_MAX_EXPONENT = 20  # 2**20 s is far above any cap the settings allow; stops the power growing without bound


@dataclass(frozen=True)
class LoginPolicy:
    """Failures in a row allowed without delay, and the longest delay after more."""

    free_failures: int
    longest_delay: timedelta

    def delay(self, failures: int) -> timedelta | None:
        """The wait before the next attempt after ``failures`` failures in a row (None: no wait)."""
        if failures < self.free_failures:
            return None
        return min(timedelta(seconds=2 ** min(failures - self.free_failures, _MAX_EXPONENT)), self.longest_delay)


class LoginRefused(Exception):
    """A sign-in step failed. Deliberately says no more: unknown, inactive, waiting and wrong look the same."""


class PendingInvalid(Exception):
    """The half-signed-in state is no longer valid (replayed, superseded, timed out, user gone): start again."""


@dataclass(frozen=True)
class PasswordAccepted:
    """A correct password: the user, and the nonce of the pending second step (None when signed in already)."""

    user: User
    pending_nonce: str | None


def _waiting(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _count_failure(session: Session, user: User, counter: str, policy: LoginPolicy, now: datetime) -> None:
    """One more failure on ``counter``; from ``free_failures`` on, a wait, and any pending second step dies."""
    failures = int(getattr(user, counter)) + 1
    setattr(user, counter, failures)
    delay = policy.delay(failures)
    if delay is None:
        return
    user.locked_until = now + delay
    user.login_nonce = None
    if failures == policy.free_failures:  # the first delay is worth an audit line; later ones are the same story
        record_event(session, user.email, "user.locked", "user", user.id, after={"counter": counter})


def must_wait(user: User, now: datetime) -> bool:
    """True while the account's progressive delay runs: any attempt now is refused unchecked."""
    return _waiting(user, now)


def count_password_failure(session: Session, user: User, policy: LoginPolicy, now: datetime) -> None:
    """A wrong password given outside the sign-in form (re-authentication): counted as a failed sign-in."""
    _count_failure(session, user, "failed_logins", policy, now)


def _finish(user: User, now: datetime) -> None:
    """A full sign-in: every counter, wait and pending step is cleared."""
    user.failed_logins = 0
    user.code_failures = 0
    user.locked_until = None
    user.login_nonce = None
    user.last_login_at = now


def _locked_user(session: Session, email: str) -> User | None:
    # FOR UPDATE: parallel guesses against one account queue up, so none is left uncounted (SQLite ignores it and
    # serialises writers anyway).
    return session.scalar(select(User).where(User.email == email.strip().lower()).with_for_update())


def check_password(session: Session, email: str, password: str, policy: LoginPolicy, now: datetime) -> PasswordAccepted:
    """The first step. For an enrolled user it opens a second step (a nonce); otherwise the user is signed in."""
    user = _locked_user(session, email)
    if user is None or not user.active or _waiting(user, now):
        verify_password(_DUMMY_HASH, password)  # the same cost as a real check: the timing says nothing either
        raise LoginRefused()
    if not verify_password(user.password_hash, password):
        _count_failure(session, user, "failed_logins", policy, now)
        raise LoginRefused()
    record_event(session, user.email, "user.login", "user", user.id)
    if user.totp_secret is not None:
        user.login_nonce = secrets.token_hex(16)
        return PasswordAccepted(user, user.login_nonce)
    _finish(user, now)
    return PasswordAccepted(user, None)


def _consume_code(user: User, secret: str, code: str, now: datetime) -> bool:
    """Accept ``code`` once: its time step must be later than the last one accepted for this user."""
    step = matching_step(secret, code, now.timestamp())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def check_code(session: Session, keys: PrivacyKeys, user_id: int, nonce: str, code: str, policy: LoginPolicy,
               now: datetime) -> User:
    """The second step: the pending nonce must still be the user's, the account not waiting, the code fresh."""
    user = session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None or not user.active or user.totp_secret is None or not user.login_nonce \
            or not hmac.compare_digest(user.login_nonce, nonce):
        raise PendingInvalid()
    secret = open_secret(keys, user.totp_secret, user.id)
    if secret is None:
        raise PendingInvalid()
    if _waiting(user, now):
        raise LoginRefused()
    if not _consume_code(user, secret, code, now):
        _count_failure(session, user, "code_failures", policy, now)
        raise LoginRefused()
    _finish(user, now)
    record_event(session, user.email, "user.login_second_factor", "user", user.id)
    return user


class EnrolRefused(Exception):
    """Setting up a factor failed; ``identity`` is True when the password (or current code) was not accepted."""

    def __init__(self, identity: bool) -> None:
        super().__init__("identity" if identity else "code")
        self.identity = identity


def enrol_factor(session: Session, keys: PrivacyKeys, user: User, new_secret: str, password: str,
                 current_code: str, new_code: str, policy: LoginPolicy, now: datetime) -> None:
    """Set up or replace ``user``'s TOTP factor, re-authenticating in the same request (ASVS V2.5.x, V3.7.1).

    The current password is always asked for, and a code from the current factor when one is being replaced, so a
    stolen or unattended session cannot bind the account to an attacker's authenticator. These checks are counted
    and delayed exactly as at sign-in. The new code proves the new app is set up; its step is stored as used.
    """
    locked = session.get(User, user.id, with_for_update=True, populate_existing=True)
    assert locked is user  # one identity map: the same object, now locked
    if _waiting(user, now):
        verify_password(_DUMMY_HASH, password)
        raise EnrolRefused(identity=True)
    if not verify_password(user.password_hash, password):
        _count_failure(session, user, "failed_logins", policy, now)
        raise EnrolRefused(identity=True)
    if user.totp_secret is not None:
        secret = open_secret(keys, user.totp_secret, user.id)
        if secret is None or not _consume_code(user, secret, current_code, now):
            _count_failure(session, user, "code_failures", policy, now)
            raise EnrolRefused(identity=True)
    step = matching_step(new_secret, new_code, now.timestamp())
    if step is None:
        raise EnrolRefused(identity=False)
    replacing = user.totp_secret is not None
    user.totp_secret = seal_secret(keys, new_secret, user.id)
    user.totp_last_step = step
    user.login_nonce = None
    record_event(session, f"user:{user.id}", "user.totp_enrol", "user", user.id,
                 before={"totp": replacing}, after={"totp": True}, actor_user_id=user.id)
