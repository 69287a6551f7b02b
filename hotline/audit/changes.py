"""Readable changes of one audit event: which fields changed, from what to what (pure: no Flask, no database).

Audit events hold coded fields and ids, never caller text or numbers; this is the second line of defence for a page
that shows them: fields that could name a caller (a number, a pseudonym, an address) are left out whatever an event
holds, and any value that looks like a phone number is masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotline.privacy.redact import redact_phone_numbers

# Any field whose name holds one of these is never shown: it could identify a caller or unlock something.
HIDDEN_PARTS = ("pseudonym", "phone", "number", "address", "sender", "recipient", "e164", "secret", "password",
                "token_hash", "pin_hash", "nonce")
HIDDEN_FIELDS = frozenset({"from", "to", "caller", "body", "text", "note"})
MAX_VALUE_CHARS = 200


class _Absent:
    """A field the event did not record on that side (created, or removed)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Change:
    """One field of an event: its value before and after (ABSENT when that side did not record it)."""

    field: str
    old: Any
    new: Any


def shown(field: str) -> bool:
    """False for fields that might identify a caller; they never reach the page."""
    name = field.lower()
    return name not in HIDDEN_FIELDS and not any(part in name for part in HIDDEN_PARTS)


def describe(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """The fields an event changed, in the order it recorded them; unchanged fields on both sides are left out."""
    before, after = before or {}, after or {}
    changes = []
    for field in dict.fromkeys([*after, *before]):
        if not shown(field):
            continue
        old, new = before.get(field, ABSENT), after.get(field, ABSENT)
        if old is not ABSENT and new is not ABSENT and old == new:
            continue
        changes.append(Change(field, old, new))
    return changes


def safe_text(value: Any) -> str:
    """A stored value as plain text for the page: phone-like numbers masked, length bounded."""
    text = redact_phone_numbers(str(value))
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
