"""Caller pseudonyms: HMAC-SHA256 of the E.164 number under a secret key."""

from __future__ import annotations

import hashlib
import hmac

from hotline.privacy.keys import PrivacyKeys


def pseudonym(keys: PrivacyKeys, e164: str) -> str:
    """The caller's stable pseudonym (64 hex characters); the same number on SMS, WhatsApp and voice matches."""
    if not e164.startswith("+"):
        raise ValueError("pseudonyms are computed from E.164 numbers only")
    return hmac.new(keys.pseudonym, e164.encode("ascii"), hashlib.sha256).hexdigest()
