"""Focal points' sign-in secrets and public numbers: link tokens, PINs, numbers and how they are typed (pure).

PINs are 10 random digits rather than a passphrase: digits are the same on every phone keypad, in every script the
focal points use (a Dari or Bengali keyboard types its own digits, which ``digits_only`` reads as ASCII), need no
spelling or word list per language, and can be read out over a call. 10 digits are 10^10 possibilities, which with
the per-account delay in ``registry`` cannot be guessed online; they are stored only as argon2id hashes.
"""

from __future__ import annotations

import hashlib
import secrets

PIN_DIGITS = 10
NUMBER_DIGITS = 8
LINK_TOKEN_BYTES = 24


def new_link_token() -> tuple[str, str]:
    """A fresh one-time sign-in token and its SHA-256 (what is stored)."""
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    return token, link_digest(token)


def link_digest(token: str) -> str:
    """The stored form of a link token: it is long and random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_pin() -> str:
    """A random numeric PIN of ``PIN_DIGITS`` digits, easy to type on any phone."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def new_public_number() -> str:
    """A random focal point number: never sequential, so knowing one number tells nothing about the others.

    It never starts with 0, so a spreadsheet that reads it as a number (the paper-form import) keeps every digit.
    """
    return secrets.choice("123456789") + "".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS - 1))


def spaced(digits: str, group: int = 4) -> str:
    """``digits`` in groups for reading aloud and copying down: 48210937 -> 4821 0937."""
    return " ".join(digits[start:start + group] for start in range(0, len(digits), group))
