"""Redact phone numbers that callers write inside their own free text."""

from __future__ import annotations

import phonenumbers

from hotline.privacy.phone import mask


def redact_phone_numbers(text: str, region: str | None = None) -> str:
    """Replace every phone number found in ``text`` by its masked form, e.g. ``[+93 70• ••• •67]``."""
    matches = list(phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE))
    for match in reversed(matches):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        text = text[: match.start] + f"[{mask(e164)}]" + text[match.end :]
    return text
