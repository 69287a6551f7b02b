"""Scan a whole database for phone numbers in clear: every text, JSON and binary column of every table."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import phonenumbers
from sqlalchemy import JSON, LargeBinary, String, Text, select
from sqlalchemy.orm import Session

from hotline.models import Base

_DIGITS = re.compile(r"\D")


def _scannable_values(session: Session) -> Iterator[tuple[str, str]]:
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON | LargeBinary)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    text = value.decode("latin-1")
                elif isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, ensure_ascii=False)
                yield f"{table.name}.{column.name}", text


def find_phone_numbers(session: Session, known_numbers: Iterable[str] = ()) -> list[str]:
    """Places where a phone number (any well-formed international one, or one of ``known_numbers``) is in clear."""
    needles = {_DIGITS.sub("", number)[-9:] for number in known_numbers}
    found = []
    for where, text in _scannable_values(session):
        for match in phonenumbers.PhoneNumberMatcher(text, "ZZ", leniency=phonenumbers.Leniency.VALID):
            found.append(f"{where}: {match.raw_string}")
        digits_only = _DIGITS.sub("", text)
        found.extend(f"{where}: digits of a known number" for needle in needles if needle in digits_only)
    return found


def assert_no_phone_numbers(session: Session, known_numbers: Iterable[str] = ()) -> None:
    """Fail, naming table.column, if any phone number is stored in clear anywhere in the database."""
    found = find_phone_numbers(session, known_numbers)
    assert not found, "phone numbers stored in clear:\n" + "\n".join(found[:20])
