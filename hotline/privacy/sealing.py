"""Reply addresses sealed with AES-GCM, bound to the caller's pseudonym, and kept only until they expire."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hotline.privacy.keys import PrivacyKeys

_FORMAT = b"\x01"
_NONCE_BYTES = 12


class SealBroken(ValueError):
    """The sealed value was tampered with, belongs to another caller, or was sealed under another key."""


def seal(keys: PrivacyKeys, address: str, pseudonym: str) -> bytes:
    """Encrypt a reply address; the pseudonym is authenticated data, so a sealed value cannot be moved."""
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(keys.sealing).encrypt(nonce, address.encode("utf-8"), pseudonym.encode("ascii"))
    return _FORMAT + nonce + ciphertext


def unseal(keys: PrivacyKeys, sealed: bytes, pseudonym: str) -> str:
    """Decrypt a sealed reply address or raise SealBroken."""
    if not sealed or sealed[:1] != _FORMAT:
        raise SealBroken("unknown sealed format")
    nonce, ciphertext = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    try:
        return AESGCM(keys.sealing).decrypt(nonce, ciphertext, pseudonym.encode("ascii")).decode("utf-8")
    except InvalidTag:
        raise SealBroken("reply address cannot be opened") from None


def expiry(now: datetime, ttl_days: int) -> datetime:
    """When a reply address sealed or refreshed at ``now`` expires."""
    return now + timedelta(days=ttl_days)


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    """True when there is no expiry recorded or it has passed."""
    return expires_at is None or expires_at <= now
