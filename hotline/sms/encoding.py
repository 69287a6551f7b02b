"""SMS encoding maths: GSM-7 or UCS-2, and how many segments a body costs (pure)."""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 basic character set (the escape character itself is not something a body may contain).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these costs two septets (escape + character).
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
# Units per message: (a single segment, each segment of a concatenated one).
SEGMENT_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsCost:
    """What a body costs to send: its encoding, its length in that encoding's units, and its segments."""

    encoding: str
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 basic or extension table."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text)


def _units(text: str, encoding: str) -> list[int]:
    """The cost of each character in units of the encoding: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if encoding == GSM7:
        return [2 if ch in _GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]  # astral characters (emoji) are surrogate pairs


def _count_segments(units: list[int], single: int, multi: int) -> int:
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    # Fill segments greedily: an escape pair or a surrogate pair is never split across two segments.
    segments, used = 1, 0
    for cost in units:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return segments


def sms_cost(text: str) -> SmsCost:
    """The encoding a body needs and how many segments it is sent in (GSM-7: 160/153, UCS-2: 70/67)."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    units = _units(text, encoding)
    single, multi = SEGMENT_LIMITS[encoding]
    return SmsCost(encoding=encoding, units=sum(units), segments=_count_segments(units, single, multi))
