"""The focal-point registry: register, issue sign-in credentials, revoke, and sign in (flush only, audited).

A focal point's phone number is never stored in clear: it becomes a Caller (keyed pseudonym, sealed reply address)
and a masked form for staff to recognise it. Focal points are known outside by a random public number; the row id
stays inside the database.

Wrong PINs are counted per focal point and slow that account down rather than locking it: the first
``FREE_PIN_FAILURES`` cost nothing, then each one makes the next try wait twice as long, up to ``MAX_PIN_DELAY``.
Tries made while waiting are refused unchecked and do not count, so a stranger typing wrong PINs can make the owner
wait at most ``MAX_PIN_DELAY`` after their last try, never for ever; the one-time link is never delayed, and a new
link and PIN from a supervisor clear the count.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NoReturn

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.passwords import hash_password, verify_password
from hotline.digits import digits_only
from hotline.field.credentials import (
    NUMBER_DIGITS,
    PIN_DIGITS,
    link_digest,
    new_link_token,
    new_pin,
    new_public_number,
)
from hotline.field.models import FOCAL_POINT_KINDS, FocalPoint
from hotline.intake.models import Caller
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.privacy.pseudonym import pseudonym
from hotline.privacy.sealing import expiry, seal

FREE_PIN_FAILURES = 5
FIRST_PIN_DELAY = timedelta(minutes=1)
MAX_PIN_DELAY = timedelta(minutes=15)
FAILURES_FORGOTTEN_AFTER = timedelta(hours=24)  # a typo tomorrow starts from a clean count
SIGN_IN = "field.sign_in"
SIGN_IN_FAILED = "field.sign_in_failed"


class RegistryError(ValueError):
    """The focal point cannot be registered as given; ``messages`` maps field to problems."""

    def __init__(self, messages: dict[str, Any]):
        super().__init__(str(messages))
        self.messages = messages


class SignInRefused(Exception):
    """Wrong, used or revoked credentials (the reason is deliberately not told to the visitor)."""


class FocalPointSchema(Schema):
    """What a supervisor enters for a focal point."""

    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(FOCAL_POINT_KINDS))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    admin1 = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}-[A-Z0-9]{1,6}$"))
    area = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    languages = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")), required=True,
                            validate=validate.Length(min=1, max=8))
    phone = fields.String(required=True, validate=validate.Length(min=4, max=32))


@dataclass(frozen=True)
class IssuedCredentials:
    """Shown to the supervisor once, never stored in clear."""

    link_token: str | None
    pin: str | None


def register(session: Session, form: dict[str, Any], keys: PrivacyKeys, ttl_days: int, known_languages: set[str],
             actor_user_id: int | None, now: datetime) -> FocalPoint:
    """Validate ``form`` and add a focal point; their phone becomes a pseudonymous Caller."""
    data = _load(form, known_languages)
    try:
        address = parse_address(data.pop("phone"), data["country"])
    except NotAPhoneNumber:
        raise RegistryError({"phone": ["Not a phone number."]}) from None
    key = pseudonym(keys, address.e164)
    caller = session.scalar(select(Caller).where(Caller.pseudonym == key))
    if caller is None:
        caller = Caller(pseudonym=key, key_version=keys.version, country=address.country, first_seen_at=now,
                        last_seen_at=now)
        session.add(caller)
        session.flush()
    elif session.scalar(select(FocalPoint.id).where(FocalPoint.caller_id == caller.id)) is not None:
        raise RegistryError({"phone": ["This number already belongs to a focal point."]})
    caller.reply_address = seal(keys, address.reply_address, key)
    caller.reply_address_expires_at = expiry(now, ttl_days)
    caller.language = caller.language or data["languages"][0]
    point = FocalPoint(**data, public_number=_unused_number(session), caller_id=caller.id,
                       phone_masked=address.masked, created_at=now)
    session.add(point)
    session.flush()
    record_event(session, _actor(actor_user_id), "field.focal_point.create", "focal_point", point.id,
                 after={"kind": point.kind, "country": point.country, "admin1": point.admin1,
                        "languages": point.languages}, actor_user_id=actor_user_id)
    return point


def _unused_number(session: Session) -> str:
    # 9 * 10^7 numbers for a few hundred focal points: a clash is rare, but would break the unique constraint.
    while True:
        number = new_public_number()
        if session.scalar(select(FocalPoint.id).where(FocalPoint.public_number == number)) is None:
            return number


def by_number(session: Session, number: str, *, for_update: bool = False) -> FocalPoint | None:
    """The focal point with this public number (typed in any script, spaced or not), or None."""
    digits = digits_only(number)
    if digits is None or len(digits) != NUMBER_DIGITS:
        return None
    query = select(FocalPoint).where(FocalPoint.public_number == digits)
    return session.scalar(query.with_for_update() if for_update else query)


def _load(form: dict[str, Any], known_languages: set[str]) -> dict[str, Any]:
    try:
        data: dict[str, Any] = FocalPointSchema().load(form)
    except ValidationError as exc:
        raise RegistryError(exc.messages_dict) from None
    unknown = [code for code in data["languages"] if code not in known_languages]
    if unknown:
        raise RegistryError({"languages": [f"Unknown language: {', '.join(unknown)}"]})
    if data["admin1"] and not data["admin1"].startswith(data["country"] + "-"):
        raise RegistryError({"admin1": ["The area code must start with the country code."]})
    return data


def _actor(user_id: int | None) -> str:
    return f"user:{user_id}" if user_id else "cli"


def issue_credentials(session: Session, point: FocalPoint, actor_user_id: int | None, now: datetime,
                      *, link: bool = True, pin: bool = True) -> IssuedCredentials:
    """New sign-in link and/or PIN (replacing earlier ones): every open session ends; also lifts a revocation."""
    token = digest = code = None
    if link:
        token, digest = new_link_token()
        point.link_token_hash = digest
    if pin:
        code = new_pin()
        point.pin_hash = hash_password(code)
    point.revoked_at = None
    point.credential_epoch += 1
    point.pin_failures, point.pin_failed_at = 0, None
    session.flush()
    record_event(session, _actor(actor_user_id), "field.credentials.issue", "focal_point", point.id,
                 after={"link": link, "pin": pin}, actor_user_id=actor_user_id)
    return IssuedCredentials(token, code)


def revoke(session: Session, point: FocalPoint, actor_user_id: int | None, now: datetime) -> None:
    """Revoke every sign-in: credentials erased and every open session of this focal point ended."""
    point.pin_hash = point.link_token_hash = None
    point.revoked_at = now
    point.credential_epoch += 1
    session.flush()
    record_event(session, _actor(actor_user_id), "field.credentials.revoke", "focal_point", point.id,
                 actor_user_id=actor_user_id)


def sign_in_with_link(session: Session, token: str, now: datetime) -> FocalPoint:
    """Use a one-time link: it works once, then is gone."""
    point = session.scalar(select(FocalPoint).where(FocalPoint.link_token_hash == link_digest(token)))
    if point is None or point.revoked_at is not None:
        record_event(session, "anonymous", SIGN_IN_FAILED, "focal_point", None, after={"method": "link"})
        raise SignInRefused
    point.link_token_hash = None  # one-time
    record_event(session, f"focal_point:{point.id}", SIGN_IN, "focal_point", point.id, after={"method": "link"})
    session.flush()
    return point


def sign_in_with_pin(session: Session, number: str, pin: str, now: datetime) -> FocalPoint:
    """Sign in with the focal point's public number and PIN; wrong PINs make the next try wait (see the module)."""
    point = by_number(session, number, for_update=True)  # one try at a time per focal point
    code = digits_only(pin) or ""
    if point is None or point.revoked_at is not None or not point.pin_hash:
        verify_password(_decoy_hash(), code)  # as slow as a real check: the timing tells no number from another
        _refuse(session, point, "unknown")
    elif (wait := pin_wait(point, now)) > timedelta(0):
        _refuse(session, point, "waiting", wait)
    elif len(code) != PIN_DIGITS or not verify_password(point.pin_hash, code):
        forgotten = point.pin_failed_at is None or now - point.pin_failed_at >= FAILURES_FORGOTTEN_AFTER
        point.pin_failures = 1 if forgotten else point.pin_failures + 1
        point.pin_failed_at = now
        _refuse(session, point, "wrong")
    point.pin_failures, point.pin_failed_at = 0, None
    record_event(session, f"focal_point:{point.id}", SIGN_IN, "focal_point", point.id, after={"method": "pin"})
    session.flush()
    return point


def pin_delay(failures: int) -> timedelta:
    """How long the next PIN try waits after ``failures`` wrong PINs in a row."""
    if failures < FREE_PIN_FAILURES:
        return timedelta(0)
    doublings: int = min(failures - FREE_PIN_FAILURES, 16)
    return min(FIRST_PIN_DELAY * (1 << doublings), MAX_PIN_DELAY)


def pin_wait(point: FocalPoint, now: datetime) -> timedelta:
    """How long from ``now`` until this focal point's PIN is checked again (zero: now)."""
    if point.pin_failed_at is None or now - point.pin_failed_at >= FAILURES_FORGOTTEN_AFTER:
        return timedelta(0)
    return max(point.pin_failed_at + pin_delay(point.pin_failures) - now, timedelta(0))


def _refuse(session: Session, point: FocalPoint | None, reason: str,
            wait: timedelta | None = None) -> NoReturn:
    after: dict[str, Any] = {"method": "pin", "reason": reason}
    if wait is not None:
        after["wait_seconds"] = int(wait.total_seconds())
    record_event(session, "anonymous", SIGN_IN_FAILED, "focal_point", point.id if point else None, after=after)
    session.flush()
    raise SignInRefused


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))
