"""Redact phone numbers that callers write inside their own free text."""

from __future__ import annotations

import re

import phonenumbers

from hotline.privacy.phone import mask

# A run of 9 or more digits (any script's digits, perhaps after a +) standing alone: another country's phone
# number written without its prefix, or an identity-card number. Either way personal: masked.
_LONG_DIGIT_RUN = re.compile(r"(?<![\w+])\+?\d{9,}(?!\w)")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Not part of a longer token: 'P1234567' is a passport number and 'A12345678' a visa, not phone numbers."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def redact_phone_numbers(text: str, region: str | None = None) -> str:
    """Replace every phone number found in ``text`` by its masked form, e.g. ``[+93 70• ••• •67]``.

    Numbers must be valid for their country (with ``region`` the caller's country for numbers written without
    a prefix), so prices, dates and document numbers stay readable; long bare digit runs are masked anyway.
    """
    matches = phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=phonenumbers.Leniency.VALID)
    for match in reversed([m for m in matches if _stands_alone(text, m.start, m.end)]):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        text = text[: match.start] + f"[{mask(e164)}]" + text[match.end :]
    return _LONG_DIGIT_RUN.sub(lambda m: "[" + "•" * (len(m.group()) - 2) + m.group()[-2:] + "]", text)
