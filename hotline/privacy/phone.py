"""Phone numbers: E.164 normalisation, country of origin and masked display, with `phonenumbers`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

_ADDRESS_PREFIXES = ("whatsapp:", "sms:", "tel:", "client:")
_MASK = "\u2022"  # bullet


class NotAPhoneNumber(ValueError):
    """The sender is not a usable phone number (withheld caller ID, alphanumeric sender, garbage)."""


@dataclass(frozen=True)
class PhoneAddress:
    """A normalised sender: the E.164 number, its country, and the channel prefix it came with."""

    e164: str
    country: str | None
    scheme: str  # "" for plain numbers, "whatsapp" for WhatsApp senders
    # As parsed, so that masking it for staff does not parse it again.
    number: phonenumbers.PhoneNumber | None = field(default=None, compare=False, repr=False)

    @property
    def masked(self) -> str:
        """The number masked for staff, as ``mask`` shows it."""
        return _masked(self.number) if self.number is not None else mask(self.e164)

    @property
    def reply_address(self) -> str:
        """What Twilio needs to reply: the number, with its channel prefix."""
        return f"{self.scheme}:{self.e164}" if self.scheme else self.e164


def parse_address(raw: str | None, default_region: str | None = None) -> PhoneAddress:
    """Normalise a provider's From/To value (``+93…``, ``whatsapp:+93…``) or raise NotAPhoneNumber."""
    if not raw or not raw.strip():
        raise NotAPhoneNumber("empty sender")
    value = raw.strip()
    scheme = ""
    lowered = value.lower()
    for prefix in _ADDRESS_PREFIXES:
        if lowered.startswith(prefix):
            scheme = prefix[:-1] if prefix == "whatsapp:" else ""
            value = value[len(prefix):]
            break
    if not re.fullmatch(r"[+\d\s().-]{4,32}", value):
        raise NotAPhoneNumber("not a phone number")
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise NotAPhoneNumber(str(exc)) from None
    if not phonenumbers.is_possible_number(number):
        raise NotAPhoneNumber("not a possible number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneAddress(e164=e164, country=phonenumbers.region_code_for_number(number), scheme=scheme, number=number)


def mask(e164: str) -> str:
    """Masked display for staff: country code, first two and last two digits (``+93 70• ••• •67``)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return _MASK * 6
    return _masked(number)


def _masked(number: phonenumbers.PhoneNumber) -> str:
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    country_part, _, national_part = shown.partition(" ")
    digits_total = sum(ch.isdigit() for ch in national_part)
    out, seen = [], 0
    for ch in national_part:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= 2 or seen > digits_total - 2 else _MASK)
        else:
            out.append(ch)
    return f"{country_part} {''.join(out)}"
