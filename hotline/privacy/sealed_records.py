"""Sealed webhook records, the on-disk form of the spool and the SMS inbox: one line per record, AES-GCM. Pure.

A spooled webhook carries a raw phone number (``From``) and caller text, so a line is never written in clear: the
JSON record is encrypted with a key derived (HKDF) from the app's sealing key, with a fixed associated-data label.
Whoever reads the disk sees only the key version and ciphertext; the same ``HOTLINE_PSEUDONYM_KEY`` that protects
reply addresses in the database is needed to open it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hotline.privacy.keys import PrivacyKeys

MAGIC = "H1"
_AAD = b"hotline/spool/v1"
_NONCE_BYTES = 12
MAX_FIELD = 8192  # a Twilio form value is a few hundred bytes; anything longer is cut, never refused

# What a spooled record is: which webhook it came from, decided by the view that spooled it.
SMS_INBOUND = "sms.inbound"
SMS_STATUS = "sms.status"
VOICE_CALL = "voice.call"
VOICE_RECORDING = "voice.recording"
VOICE_STATUS = "voice.status"
KINDS = frozenset({SMS_INBOUND, SMS_STATUS, VOICE_CALL, VOICE_RECORDING, VOICE_STATUS})


class SpoolCorrupt(ValueError):
    """A spool line that cannot be opened: torn, tampered with, or sealed under another key."""


@dataclass(frozen=True)
class SpoolRecord:
    """One webhook as received: its kind, the provider's form fields, the app's query args and arrival time."""

    kind: str
    form: dict[str, str]
    received_at: datetime
    args: dict[str, str] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON values."""
        return {"id": self.id, "kind": self.kind, "at": self.received_at.isoformat(), "form": self.form,
                "args": self.args}

    @classmethod
    def from_json(cls, data: Any) -> SpoolRecord:
        """Rebuild a record, checking every field (a decrypted line is still checked, not trusted blindly)."""
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise SpoolCorrupt("not a spool record")
        try:
            received_at = datetime.fromisoformat(str(data["at"]))
            form, args = _strings(data["form"]), _strings(data.get("args", {}))
        except (KeyError, ValueError, TypeError) as exc:
            raise SpoolCorrupt(f"bad spool record: {exc}") from None
        if received_at.tzinfo is None:
            raise SpoolCorrupt("spool record time has no time zone")
        return cls(kind=str(data["kind"]), form=form, received_at=received_at.astimezone(UTC), args=args,
                   id=str(data.get("id", "")))


def make_record(kind: str, form: Any, received_at: datetime, args: Any = None) -> SpoolRecord:
    """A record from a request's form and args (first value of each key, each cut to MAX_FIELD characters)."""
    if kind not in KINDS:
        raise ValueError(f"unknown spool record kind {kind!r}")
    return SpoolRecord(kind=kind, form=_first_values(form), received_at=received_at, args=_first_values(args or {}))


def spool_key(keys: PrivacyKeys) -> bytes:
    """The spool's own key, derived from the sealing key so that neither key reveals the other."""
    return _derive(keys.sealing)


@functools.lru_cache(maxsize=8)
def _derive(sealing: bytes) -> bytes:
    # Every inbound text is sealed with it (hotline.sms.inbox): derive once per key, not once per message.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline/spool/v1").derive(sealing)


def encode(keys: PrivacyKeys, record: SpoolRecord) -> bytes:
    """One spool line (ASCII, newline-terminated): ``H1 <key version> <base64(nonce + ciphertext)>``."""
    plain = json.dumps(record.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(spool_key(keys)).encrypt(nonce, plain, _AAD)
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{MAGIC} {keys.version} {body}\n".encode("ascii")


def decode(keys: PrivacyKeys, line: bytes) -> SpoolRecord:
    """The record in one spool line, or SpoolCorrupt."""
    parts = line.strip().split(b" ")
    if len(parts) != 3 or parts[0] != MAGIC.encode():
        raise SpoolCorrupt("not a spool line")
    if parts[1] != str(keys.version).encode():
        raise SpoolCorrupt(f"spool line sealed under key version {parts[1]!r}")
    try:
        raw = base64.urlsafe_b64decode(parts[2])
        plain = AESGCM(spool_key(keys)).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD)
        data = json.loads(plain.decode("utf-8"))
    except (binascii.Error, InvalidTag, ValueError) as exc:
        raise SpoolCorrupt(f"spool line cannot be opened ({type(exc).__name__})") from None
    return SpoolRecord.from_json(data)


def _first_values(data: Any) -> dict[str, str]:
    # A werkzeug MultiDict iterates its keys and .get() gives the first value: Twilio sends one value a key.
    mapping = data if hasattr(data, "getlist") else dict(data)
    pairs = [(key, mapping.get(key)) for key in mapping]
    return {str(key)[:128]: str(value)[:MAX_FIELD] for key, value in pairs if value is not None}


def _strings(data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        raise TypeError("form and args must be objects")
    return {str(key): str(value) for key, value in data.items()}
