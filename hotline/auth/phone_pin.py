"""Staff phone PINs: how translators and supervisors without a computer reach the hotline's recording path.

A staff member keys in their staff number (8 random digits, never sequential) and their PIN (8 random digits, made
by the server so that nobody picks 1234). Only an argon2id hash of the PIN is stored. Wrong PINs are counted per
staff number: ``FREE_FAILURES`` cost nothing, then each next try waits twice as long (1, 2, 4... minutes, at most
``MAX_DELAY``); a try made while waiting is refused without looking at the PIN and is not counted. Every answer is
the same whether the number exists, the PIN is wrong or the number is waiting, and an unknown number costs the same
hashing work, so the phone never tells which. Refusals and sign-ins are audited (never the digits typed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.accounts import Actor
from hotline.auth.login import LoginPolicy, count_password_failure, must_wait
from hotline.auth.models import Role, StaffPhonePin, User
from hotline.auth.passwords import hash_password, verify_password
from hotline.auth.service import AccountError, end_sessions

PIN_DIGITS = 8
NUMBER_DIGITS = 8
FREE_FAILURES = 5
MAX_DELAY = timedelta(minutes=15)
PHONE_ROLES = (Role.TRANSLATOR, Role.SUPERVISOR, Role.ADMIN)
_UNKNOWN_HASH = hash_password(secrets.token_hex(8))  # verified against for unknown numbers: the same work


class PhonePinRefused(Exception):
    """A PIN cannot be issued to this user (role or account)."""


@dataclass(frozen=True)
class IssuedPin:
    """What to tell the staff member once: their staff number and PIN."""

    number: str
    pin: str


def delay_after(failures: int) -> timedelta:
    """How long a staff number waits after ``failures`` wrong PINs in a row (pure)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(minutes=2 ** (failures - FREE_FAILURES)), MAX_DELAY)


def issue_pin(session: Session, user: User, now: datetime, actor: Actor) -> IssuedPin:
    """A new staff number and PIN for ``user`` (replacing any earlier ones); shown once, only the hash is kept."""
    if user.role not in PHONE_ROLES or not user.active:
        raise PhonePinRefused("only active translators, supervisors and admins record prompts by phone")
    row = session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == user.id))
    number = _new_number(session)
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
    if row is None:
        row = StaffPhonePin(user_id=user.id, number=number, pin_hash=hash_password(pin), failures=0, created_at=now)
        session.add(row)
    else:
        row.number, row.pin_hash, row.failures, row.locked_until, row.created_at = (
            number, hash_password(pin), 0, None, now)
    session.flush()
    record_event(session, actor.label, "staff_phone_pin.issue", "user", user.id, actor_user_id=actor.user_id)
    return IssuedPin(number, pin)


def issue_own_pin(session: Session, user: User, current_password: str, policy: LoginPolicy,
                  now: datetime) -> IssuedPin:
    """A signed-in user gives themselves a new phone PIN: their current password is required (a stolen session
    cannot mint a PIN), and wrong ones count towards the sign-in delay, as a password change does."""
    if must_wait(user, now):
        raise AccountError("locked: too many wrong current passwords; try again later")
    if not verify_password(user.password_hash, current_password):
        count_password_failure(session, user, policy, now)
        if must_wait(user, now):
            end_sessions(session, user)
            raise AccountError("locked: too many wrong current passwords")
        raise AccountError("current_password: that is not your current password")
    return issue_pin(session, user, now, Actor(f"user:{user.id}", user.id))


def phone_number_of(session: Session, user: User) -> str | None:
    """The user's staff number for the phone path, or None without a PIN."""
    return session.scalar(select(StaffPhonePin.number).where(StaffPhonePin.user_id == user.id))


def revoke_pin(session: Session, user: User, actor: Actor) -> bool:
    """Remove ``user``'s phone PIN; True when there was one."""
    row = session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == user.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    record_event(session, actor.label, "staff_phone_pin.revoke", "user", user.id, actor_user_id=actor.user_id)
    return True


def check_pin(session: Session, number: str, pin: str, now: datetime) -> User | None:
    """The staff member whose number and PIN these are, or None (same answer for every reason)."""
    row = session.scalar(select(StaffPhonePin).where(StaffPhonePin.number == number).with_for_update()) \
        if number.isascii() and number.isdigit() and len(number) == NUMBER_DIGITS else None
    if row is None:
        verify_password(_UNKNOWN_HASH, pin)
        record_event(session, "phone", "staff_phone_pin.refused", "staff_phone_pin", None, after={"reason": "number"})
        return None
    if row.locked_until is not None and row.locked_until > now:
        record_event(session, "phone", "staff_phone_pin.refused", "staff_phone_pin", row.id,
                     after={"reason": "waiting"})
        return None
    user = session.get(User, row.user_id)
    if not verify_password(row.pin_hash, pin) or user is None or not user.active or user.role not in PHONE_ROLES:
        row.failures += 1
        wait = delay_after(row.failures)
        row.locked_until = now + wait if wait else None
        session.flush()
        record_event(session, "phone", "staff_phone_pin.refused", "staff_phone_pin", row.id,
                     after={"reason": "pin", "failures": row.failures, "delay_seconds": int(wait.total_seconds())})
        return None
    row.failures, row.locked_until = 0, None
    session.flush()
    record_event(session, f"user:{user.id}", "staff_phone_pin.sign_in", "staff_phone_pin", row.id,
                 actor_user_id=user.id)
    return user


def _new_number(session: Session) -> str:
    for _ in range(20):
        number = secrets.choice("123456789") + "".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS - 1))
        if session.scalar(select(StaffPhonePin.id).where(StaffPhonePin.number == number)) is None:
            return number
    raise RuntimeError("no free staff number found")  # 9 x 10^7 numbers: never in practice
