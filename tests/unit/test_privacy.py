"""Privacy primitives: normalisation, pseudonyms, sealed reply addresses, masking, redaction."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, mask, parse_address
from hotline.privacy.pseudonym import pseudonym
from hotline.privacy.redact import redact_phone_numbers
from hotline.privacy.sealing import SealBroken, expiry, is_expired, seal, unseal

KEYS = PrivacyKeys.from_secret("k" * 40)


@pytest.mark.parametrize(
    ("raw", "e164", "country", "reply"),
    [
        ("+93701234567", "+93701234567", "AF", "+93701234567"),
        ("whatsapp:+8801712345678", "+8801712345678", "BD", "whatsapp:+8801712345678"),
        (" +60 12-345 6789 ", "+60123456789", "MY", "+60123456789"),
        ("+94 77 123 4567", "+94771234567", "LK", "+94771234567"),
        ("+66 81 234 5678", "+66812345678", "TH", "+66812345678"),
        ("+960 791 2345", "+9607912345", "MV", "+9607912345"),
    ],
)
def test_parse_address_normalises_to_e164_with_country(raw: str, e164: str, country: str, reply: str) -> None:
    address = parse_address(raw)
    assert (address.e164, address.country, address.reply_address) == (e164, country, reply)


@pytest.mark.parametrize("raw", [None, "", "Anonymous", "+266696687x", "VODAFONE", "client:alice", "+1"])
def test_parse_address_refuses_what_is_not_a_number(raw: str | None) -> None:
    with pytest.raises(NotAPhoneNumber):
        parse_address(raw)


def test_pseudonym_is_stable_keyed_and_channel_independent() -> None:
    sms = pseudonym(KEYS, parse_address("+93701234567").e164)
    whatsapp = pseudonym(KEYS, parse_address("whatsapp:+93701234567").e164)
    other_key = pseudonym(PrivacyKeys.from_secret("x" * 40), "+93701234567")
    assert sms == whatsapp and len(sms) == 64 and sms != other_key
    assert "701234567" not in sms


def test_pseudonym_refuses_non_e164() -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        pseudonym(KEYS, "0701234567")


def test_sealed_reply_address_opens_only_for_its_caller() -> None:
    sealed = seal(KEYS, "whatsapp:+93701234567", "pseudo-a")
    assert b"93701234567" not in sealed
    assert unseal(KEYS, sealed, "pseudo-a") == "whatsapp:+93701234567"
    with pytest.raises(SealBroken):
        unseal(KEYS, sealed, "pseudo-b")
    with pytest.raises(SealBroken):
        unseal(PrivacyKeys.from_secret("z" * 40), sealed, "pseudo-a")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealBroken):
        unseal(KEYS, tampered, "pseudo-a")


def test_sealing_twice_gives_different_ciphertexts() -> None:
    assert seal(KEYS, "+93701234567", "p") != seal(KEYS, "+93701234567", "p")


def test_expiry() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    expires = expiry(now, 90)
    assert expires == now + timedelta(days=90)
    assert not is_expired(expires, now) and is_expired(expires, expires) and is_expired(None, now)


def test_pseudonym_and_sealing_keys_are_independent() -> None:
    assert KEYS.pseudonym != KEYS.sealing
    assert "k" * 10 not in repr(KEYS)


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+93701234567", "+93 70 ••• ••67"),
        ("+8801712345678", "+880 17••-••••78"),
        ("+60123456789", "+60 12-••• ••89"),
    ],
)
def test_mask_keeps_country_code_and_two_digits_at_each_end(e164: str, masked: str) -> None:
    assert mask(e164) == masked


def test_mask_of_garbage_shows_nothing() -> None:
    assert mask("not a number") == "•" * 6


def test_redact_phone_numbers_in_free_text_in_any_script() -> None:
    text = "Agent number +93 70 123 4567, call him. شماره ۰۷۰۱۲۳۴۵۶۷ hai"
    redacted = redact_phone_numbers(text, "AF")
    assert "123 4567" not in redacted and "+93 70" in redacted
    assert "۱۲۳۴۵" not in redacted
    assert redacted.startswith("Agent number [+93 70")


def test_redaction_keeps_prices_dates_and_document_numbers_readable() -> None:
    for text in ("my passport P1234567 was taken", "visa no. A12345678", "pay 3000 dollars by 15/03/2027",
                 "price 25000000 rupiah"):
        assert redact_phone_numbers(text, "ID") == text


def test_redaction_masks_foreign_numbers_and_identity_numbers_written_bare() -> None:
    assert "3001234567" not in redact_phone_numbers("his pakistani number 03001234567", "AF")
    assert "3171234567890001" not in redact_phone_numbers("NIK 3171234567890001", "ID")
