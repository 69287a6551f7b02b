"""Privacy scan: no phone number in clear in any text column of any table.

Reusable by any test that pushes traffic through the app: pass the raw sender numbers it used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import phonenumbers
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Session

from hotline.models import Base

_DIGITS = re.compile(r"\d+")
_MIN_DIGITS = 6  # nothing shorter can hold a phone number


def text_values(session: Session) -> Iterator[tuple[str, str]]:
    """("table.column", value) for every non-empty String, Text or JSON value in every table."""
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if sum(ch.isdigit() for ch in text) >= _MIN_DIGITS:
                    yield f"{table.name}.{column.name}", text


def _forms(e164: str) -> tuple[str, str]:
    number = phonenumbers.parse(e164, None)
    return e164[1:], str(number.national_number)


def find_phone_numbers(session: Session, numbers: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    """Where phone numbers appear in clear: any +E.164 number not in ``allowed``, and any of ``numbers``
    in any form (E.164, without "+", national digits, or written nationally with spaces and dashes)."""
    senders = {phonenumbers.format_number(phonenumbers.parse(n.removeprefix("whatsapp:"), None),
                                          phonenumbers.PhoneNumberFormat.E164) for n in numbers}
    permitted = set(allowed)
    regions = sorted({phonenumbers.region_code_for_number(phonenumbers.parse(n, None)) or "ZZ" for n in senders})
    digit_forms = {form: n for n in senders for form in _forms(n)}
    found: list[str] = []
    for where, text in text_values(session):
        for region in ["ZZ", *regions]:  # "ZZ": only numbers written with a leading "+"
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
                e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                if e164 in senders or (region == "ZZ" and e164 not in permitted):
                    found.append(f"{where}: {match.raw_string!r}")
        for run in _DIGITS.findall(text):
            found.extend(f"{where}: digits of {number}" for form, number in digit_forms.items() if form in run)
    return sorted(set(found))


def assert_no_phone_numbers(session: Session, numbers: Iterable[str], allowed: Iterable[str] = ()) -> None:
    """Fail naming table.column if a phone number (or one of ``numbers``) is stored in clear anywhere.

    ``allowed`` lists numbers that are not personal data, such as the hotline's own numbers.
    """
    found = find_phone_numbers(session, numbers, allowed)
    assert not found, "phone numbers stored in clear:\n" + "\n".join(found)
