"""Synthetic phone numbers: phonenumbers' example mobile number of a country, varied in its last digits."""

from __future__ import annotations

import phonenumbers

# The hotline's own numbers per country (what callers dial); not personal data.
_HOTLINE_TYPE = phonenumbers.PhoneNumberType.TOLL_FREE


def synthetic_number(country: str, n: int) -> str:
    """The ``n``-th synthetic mobile number of ``country`` in E.164 (distinct for n < 10,000)."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        raise ValueError(f"phonenumbers has no example mobile number for {country}")
    national = str(example.national_number)
    varied = national[:-4] + f"{(int(national[-4:]) + n * 37) % 10000:04d}"  # 37 is coprime with 10,000
    number = phonenumbers.parse(f"+{example.country_code}{varied}", None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """How a caller would write their own number in a message (national format, e.g. ``070 123 4567``)."""
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.NATIONAL)


def hotline_number(country: str) -> str:
    """The (synthetic) hotline number callers in ``country`` dial."""
    example = phonenumbers.example_number_for_type(country, _HOTLINE_TYPE) or phonenumbers.example_number_for_type(
        country, phonenumbers.PhoneNumberType.FIXED_LINE
    )
    if example is None:
        raise ValueError(f"phonenumbers has no example number for {country}")
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
