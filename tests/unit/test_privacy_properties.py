"""Property tests: hostile input never crashes the privacy primitives, and redaction never leaks a number."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.intake.inbound import clean_text
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, mask, parse_address
from hotline.privacy.redact import redact_phone_numbers
from hotline.privacy.sealing import seal, unseal

KEYS = PrivacyKeys.from_secret("property-test-key-0123456789abcdef")
REGIONS = ["AF", "PK", "BD", "LK", "MY", "ID", "TH", "MV", "AU"]


@st.composite
def mobile_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    tail = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    return f"+{example.country_code}{national[:-4]}{tail}"


@given(st.text(max_size=64))
def test_parse_address_accepts_or_refuses_cleanly(raw: str) -> None:
    try:
        address = parse_address(raw)
    except NotAPhoneNumber:
        return
    assert address.e164.startswith("+") and address.e164[1:].isdigit()


@given(mobile_numbers(), st.text(max_size=40), st.text(max_size=40))
@settings(max_examples=150)
def test_redaction_removes_numbers_wherever_they_stand(number: str, before: str, after: str) -> None:
    national_tail = number[-7:]
    text = f"{before} {number} {after}"
    redacted = redact_phone_numbers(text)
    assert number not in redacted
    if national_tail not in before + after:
        assert national_tail not in redacted


@given(mobile_numbers())
def test_mask_never_shows_the_middle_digits(number: str) -> None:
    shown = mask(number)
    digits = "".join(ch for ch in shown if ch.isdigit())
    assert len(digits) <= len(number) - 1 - 3
    assert shown.endswith(number[-2:])


@given(st.text(max_size=200), st.text(alphabet="0123456789abcdef", min_size=1, max_size=64))
def test_sealing_round_trips_any_text(address: str, pseudo: str) -> None:
    assert unseal(KEYS, seal(KEYS, address, pseudo), pseudo) == address


@given(st.text(max_size=300))
def test_clean_text_never_keeps_nul(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned is None or ("\x00" not in cleaned and cleaned.strip())
