"""Derive separate keys for pseudonyms and for sealing reply addresses from HOTLINE_PSEUDONYM_KEY."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline/" + purpose).derive(
        secret.encode("utf-8")
    )


@dataclass(frozen=True, repr=False)
class PrivacyKeys:
    """Key material derived once per process; never logged (repr is hidden)."""

    pseudonym: bytes
    sealing: bytes
    version: int = 1

    @classmethod
    def from_secret(cls, secret: str, version: int = 1) -> PrivacyKeys:
        """Derive independent keys so that a leaked pseudonym key cannot decrypt reply addresses."""
        return cls(_derive(secret, b"pseudonym/v1"), _derive(secret, b"reply-address/v1"), version)

    def __repr__(self) -> str:
        return f"PrivacyKeys(version={self.version}, ...)"
