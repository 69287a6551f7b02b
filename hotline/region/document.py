"""Feed documents, pure: canonical JSON, Ed25519 signatures, and the checks a subscriber makes before storing.

A feed is an envelope ``{"document": {...}, "signature": "<base64>"}``; the signature covers the document's
canonical JSON (sorted keys, no spaces, UTF-8). The document echoes the subscriber's ``nonce`` and ``since``, so
a recorded answer cannot be replayed to another request, and lists every closed week after ``since`` in order.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "hotline-region-feed/1"


class FeedRefused(ValueError):
    """A feed that must not be stored; the message says why, for the person running the pull."""


def canonical(value: Any) -> bytes:
    """The one byte string that a JSON value signs as."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value``, hex."""
    return hashlib.sha256(canonical(value)).hexdigest()


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key as base64: what a peer is given to paste into `hotline region peers add`."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key from its base64 text; ValueError when it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not an Ed25519 public key (base64 of 32 bytes, as `hotline region key` prints)") from exc


def sign(document: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed envelope of ``document``."""
    signature = key.sign(canonical(document))
    return {"document": document, "signature": base64.b64encode(signature).decode("ascii")}


def open_envelope(body: bytes, key: Ed25519PublicKey) -> dict[str, Any]:
    """The document inside a signed envelope, once its signature checks; FeedRefused otherwise."""
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedRefused(f"the feed is truncated or not JSON ({len(body)} bytes received: {exc})") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("document"), dict) \
            or not isinstance(envelope.get("signature"), str):
        raise FeedRefused("the feed is not a signed envelope (expected 'document' and 'signature')")
    try:
        signature = base64.b64decode(envelope["signature"], validate=True)
        key.verify(signature, canonical(envelope["document"]))
    except (binascii.Error, InvalidSignature):
        raise FeedRefused("the feed's signature does not match this peer's public key: it was altered or signed "
                          "by another key; nothing was stored") from None
    document: dict[str, Any] = envelope["document"]
    return document


@dataclass(frozen=True)
class Expectation:
    """What the subscriber asked for and last accepted from this peer."""

    nonce: str
    since: date | None  # the Monday of the last week already stored, None on a first pull
    last_issued_at: datetime | None


def check_document(document: dict[str, Any], expected: Expectation) -> list[date]:
    """The Mondays of the document's weeks, once it answers this request in order; FeedRefused otherwise."""
    if document.get("format") != FORMAT:
        raise FeedRefused(f"unknown feed format {document.get('format')!r} (this deployment reads {FORMAT})")
    if document.get("nonce") != expected.nonce:
        raise FeedRefused("the feed answers another request (its nonce is not the one sent): a replayed document")
    issued = _timestamp(document.get("issued_at"))
    if expected.last_issued_at is not None and issued <= expected.last_issued_at:
        raise FeedRefused(f"the feed was issued at {issued.isoformat()}, not after the last one accepted "
                          f"({expected.last_issued_at.isoformat()}): replayed or out of order")
    since = _optional_day(document.get("since"))
    if since != expected.since:
        raise FeedRefused(f"the feed starts after {since} but {expected.since} was asked for: out of order")
    return _week_sequence(document, since)


def _week_sequence(document: dict[str, Any], since: date | None) -> list[date]:
    weeks = document.get("weeks")
    if not isinstance(weeks, list):
        raise FeedRefused("the feed has no list of weeks")
    mondays = [_day(week.get("week_start") if isinstance(week, dict) else None) for week in weeks]
    previous = since
    for monday in mondays:
        if monday.weekday() != 0:
            raise FeedRefused(f"week_start {monday} is not a Monday")
        if previous is not None and monday != previous + timedelta(days=7):
            raise FeedRefused(f"the week of {monday} does not follow {previous}: weeks missing or out of order")
        previous = monday
    through = _optional_day(document.get("through"))
    if through is not None and (previous is None or previous != through):
        raise FeedRefused(f"the feed says it runs through {through} but its last week is {previous}: truncated")
    return mondays


def week_digest(week: dict[str, Any]) -> str:
    """The digest a stored week is compared by (a published week never changes)."""
    return digest({"week_start": week.get("week_start"), "rows": week.get("rows")})


def _timestamp(value: Any) -> datetime:
    try:
        found = datetime.fromisoformat(str(value))
    except ValueError:
        raise FeedRefused(f"issued_at {value!r} is not an ISO timestamp") from None
    if found.tzinfo is None:
        raise FeedRefused("issued_at has no time zone")
    return found


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FeedRefused(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _optional_day(value: Any) -> date | None:
    return None if value is None else _day(value)
