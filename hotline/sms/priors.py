"""Priors for a message's language from where its numbers are: the hotline number it was sent to and the
sender's own number (pure; the country table is config/sms_keywords.yaml ``country_languages``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import phonenumbers

from hotline.privacy.phone import NotAPhoneNumber, parse_address

_FIRST_WEIGHT = 1.0  # the country's first language
_OTHER_WEIGHT = 0.5  # its other languages


def country_of(address: str | None) -> str | None:
    """The ISO 3166 country of a number (``+60…``, ``whatsapp:+62…``) from its calling code, or None."""
    try:
        parsed = parse_address(address)
    except NotAPhoneNumber:
        return None
    code = parsed.number.country_code if parsed.number is not None else phonenumbers.parse(parsed.e164).country_code
    region = phonenumbers.region_code_for_country_code(code) if code else None
    return None if region in (None, phonenumbers.UNKNOWN_REGION) else region


def language_priors(countries: Iterable[str | None],
                    table: Mapping[str, tuple[str, ...]]) -> dict[str, float]:
    """Language -> weight, summed over the countries given (the hotline number's, the sender's)."""
    priors: dict[str, float] = {}
    for country in countries:
        for index, language in enumerate(table.get(country or "", ())):
            priors[language] = priors.get(language, 0.0) + (_FIRST_WEIGHT if index == 0 else _OTHER_WEIGHT)
    return priors
