"""User (with a role) and ApiToken (stored as a hash only)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime, utcnow


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    ADMIN = "admin"
    TRANSLATOR = "translator"  # records and reviews prompts in their own languages only


class TokenScope(StrEnum):
    PEER = "peer"  # a peer deployment's token: the regional feed, and nothing else


class User(Base):
    """A member of staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    ui_locale: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords since the last full sign-in
    code_failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong second-step codes, likewise
    # No sign-in step (password or code) is looked at before this time: the progressive delay (hotline.auth.login).
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # last TOTP time step accepted: no code reused
    # The half-signed-in state between password and code: the cookie's copy must match, so clearing it kills it.
    login_nonce: Mapped[str | None] = mapped_column(String(32))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Copied into every session at sign-in and compared on each request: bumping it ends all of the user's sessions.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """A bearer token for /api/v1; only its SHA-256 is stored, and its first characters to recognise it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: the API as the user's role allows. "peer": only the regional feed (a peer deployment's token).
    scope: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="tokens")


class StaffPhonePin(Base):
    """A staff member's way onto the hotline's recording path by phone: a random staff number (what they key in
    first) and a PIN stored only as an argon2id hash, with wrong PINs counted for the progressive delay."""

    __tablename__ = "staff_phone_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(8), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong PINs since the last sign-in or new PIN
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no PIN is looked at before this time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
