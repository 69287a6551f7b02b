"""Remove phone numbers, e-mail addresses and ID-like numbers from caller text before it is aggregated.

Redacted text is what may become a candidate Rumour's canonical statement or feed any aggregate.
"""

from __future__ import annotations

import re

from hotline.classify.normalise import ascii_digits
from hotline.privacy.redact import redact_phone_numbers

EMAIL_MARK = "[email]"
ID_MARK = "[id]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Five or more digits, possibly split by spaces, dots, slashes or dashes, optionally glued to letters
# (passport "P1234567", CNIC "35202-1234567-1", NIC "199012345678V", unprefixed local phone numbers).
_ID_LIKE = re.compile(r"(?<![\w\[])[A-Za-z]{0,3}\d(?:[\s./-]?\d){4,}[A-Za-z]?(?![\w\]])")
_PHONE_MASK = re.compile(r"\[\+[^\]]*\]")
# What hotline.privacy.redact makes of a long bare digit run (no country known): an ID as far as aggregates go.
_BARE_NUMBER_MASK = re.compile(r"\[•+\d{0,2}\]")
# Letters glued to five or more digits are documents, not phones: redact them before the phone matcher can
# read the digits as a local number (e.g. with a country hint).
_DOCUMENT_NUMBER = re.compile(r"(?<![\w\[])[A-Za-z]{1,3}\d{5,}[A-Za-z]?(?![\w\]])")


def redact(text: str, region: str | None = None) -> str:
    """Return ``text`` with e-mail addresses, phone numbers and ID-like numbers replaced by markers.

    Digits of every script are read as ASCII first, so numbers written in Bengali or Persian digits are caught.
    """
    text = _DOCUMENT_NUMBER.sub(ID_MARK, _EMAIL.sub(EMAIL_MARK, ascii_digits(text)))
    text = _BARE_NUMBER_MASK.sub(ID_MARK, redact_phone_numbers(text, region))
    # Masked phone numbers keep a few digits on purpose: hide them from the ID pattern, then put them back.
    masks: list[str] = []

    def _stash(match: re.Match[str]) -> str:
        masks.append(match.group(0))
        return f"\x00{len(masks) - 1}\x00"

    text = _ID_LIKE.sub(ID_MARK, _PHONE_MASK.sub(_stash, text))
    return re.sub("\x00(\\d+)\x00", lambda m: masks[int(m.group(1))], text)
