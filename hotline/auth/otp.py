"""TOTP codes (RFC 6238, pyotp) and their sealed secrets: pure functions, no request or database.

The secret is sealed with AES-GCM under the app's sealing key (hotline.privacy.sealing), bound to the user's id,
so a copied database column opens for no other user and without the key.
"""

from __future__ import annotations

import hmac
import time

import pyotp

from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.sealing import SealBroken, seal, unseal

ISSUER = "Hotline"
VALID_WINDOW = 1  # accept the previous and next 30-second code too (clock drift)


def _binding(user_id: int) -> str:
    return f"totp-user-{user_id}"


def seal_secret(keys: PrivacyKeys, secret: str, user_id: int) -> bytes:
    """The stored form of a TOTP secret."""
    return seal(keys, secret, _binding(user_id))


def open_secret(keys: PrivacyKeys, sealed: bytes, user_id: int) -> str | None:
    """The TOTP secret, or None if it cannot be opened (another key, another user)."""
    try:
        return unseal(keys, sealed, _binding(user_id))
    except SealBroken:
        return None


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (counter) whose code ``code`` is (6 digits, spaces ignored), within one step of ``at``; or None.

    The step is what makes a code single-use: the caller stores the last step accepted and refuses any code at or
    before it (RFC 6238 section 5.2), so a code seen over a shoulder or in a proxy log cannot be played again.
    """
    digits = "".join(code.split())
    if not (len(digits) == 6 and digits.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if at is None else at) // totp.interval)
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            found = step
    return found


def code_is_valid(secret: str, code: str, at: float | None = None) -> bool:
    """True when ``code`` is valid for ``secret`` now, give or take one step (replay is the caller's to refuse)."""
    return matching_step(secret, code, at) is not None


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads (typed in, or pasted)."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER))
