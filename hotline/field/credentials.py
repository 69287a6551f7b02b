"""Focal points' sign-in secrets: one-time link tokens and PINs, stored only as hashes (pure)."""

from __future__ import annotations

import hashlib
import secrets

PIN_DIGITS = 6
LINK_TOKEN_BYTES = 24


def new_link_token() -> tuple[str, str]:
    """A fresh one-time sign-in token and its SHA-256 (what is stored)."""
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    return token, link_digest(token)


def link_digest(token: str) -> str:
    """The stored form of a link token: it is long and random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_pin() -> str:
    """A random numeric PIN, easy to type on any phone."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
