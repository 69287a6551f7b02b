"""Creating users and API tokens, and ending a user's sessions (flush only; the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import ApiToken, Role, TokenScope, User
from hotline.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, new_api_token
from hotline.content.yamlfile import flatten_messages
from hotline.db import utcnow

DEFAULT_TOKEN_DAYS = 90  # HOTLINE_API_TOKEN_DAYS overrides it for `hotline api-token create`
MAX_TOKEN_DAYS = 365  # no token lives longer than a year: a forgotten one stops working on its own


class AccountError(ValueError):
    """A user or token cannot be created as asked; the message says why."""


class NewUserSchema(Schema):
    """What creating a user accepts (CLI, admin UI)."""

    email = fields.Email(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    password = fields.String(required=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=1024))
    languages = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")), load_default=list)
    display_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    ui_locale = fields.String(load_default="en")


def create_user(session: Session, data: dict[str, object], actor: str = "cli") -> User:
    """Validate and add a user; raises AccountError naming the field at fault."""
    try:
        clean = NewUserSchema().load(data)
    except ValidationError as exc:
        raise AccountError("; ".join(f"{key}: {message}" for key, message in flatten_messages(exc.messages))) from None
    email = clean["email"].strip().lower()
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"email: a user {email} already exists")
    user = User(
        email=email, role=clean["role"], password_hash=hash_password(clean["password"]),
        languages=clean["languages"], display_name=clean["display_name"], ui_locale=clean["ui_locale"],
    )
    session.add(user)
    session.flush()
    record_event(session, actor, "user.create", "user", user.id, after={"email": email, "role": user.role})
    return user


@dataclass(frozen=True)
class IssuedToken:
    """A token shown once at creation; only its hash is stored."""

    token: str
    record: ApiToken


def create_api_token(
    session: Session, email: str, name: str | None = None, expires_at: datetime | None = None, actor: str = "cli",
    days: int | None = None, scope: str | None = None,
) -> IssuedToken:
    """Issue a bearer token for an existing, active user, valid ``days`` (default 90, at most 365) or until
    ``expires_at``; every token expires."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise AccountError(f"email: no active user {email}")
    now = utcnow()
    if expires_at is None:
        days = DEFAULT_TOKEN_DAYS if days is None else days
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise AccountError(f"days: a token is valid for 1 to {MAX_TOKEN_DAYS} days, not {days}")
        expires_at = now + timedelta(days=days)
    elif expires_at > now + timedelta(days=MAX_TOKEN_DAYS):
        raise AccountError(f"expires_at: a token is valid for at most {MAX_TOKEN_DAYS} days")
    if scope is not None and scope not in set(TokenScope):
        raise AccountError(f"scope: one of {', '.join(TokenScope)}, not {scope}")
    token, digest = new_api_token()
    record = ApiToken(user=user, name=name, prefix=token[:12], token_hash=digest, expires_at=expires_at,
                      scope=scope)
    session.add(record)
    session.flush()
    record_event(session, actor, "api_token.create", "api_token", record.id,
                 after={"user_id": user.id, "expires_at": expires_at.isoformat(), "scope": scope})
    return IssuedToken(token, record)


def end_sessions(session: Session, user: User) -> None:
    """End every console session of ``user``: each carries the epoch it began in, and that epoch is now past.

    Called on sign-out, deactivation, password change or reset, and any change of the second factor. The bump is
    one UPDATE computed in the database, so two at once both end the sessions of before.
    """
    user.session_epoch = User.session_epoch + 1  # an SQL expression: the new value is read back after the flush
    session.flush()


def roles() -> Sequence[str]:
    """Every role name."""
    return [r.value for r in Role]
