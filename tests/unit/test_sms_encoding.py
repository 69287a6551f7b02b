"""GSM-7 / UCS-2 detection and segment counting."""

from __future__ import annotations

import pytest

from hotline.sms.encoding import GSM7, UCS2, is_gsm7, sms_cost


@pytest.mark.parametrize(("length", "segments"), [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_segments_are_160_then_153(length: int, segments: int) -> None:
    cost = sms_cost("a" * length)
    assert (cost.encoding, cost.units, cost.segments) == (GSM7, length, segments)


def test_extension_characters_cost_two_septets() -> None:
    assert sms_cost("€" * 80) == sms_cost("a" * 160)
    assert sms_cost("€" * 81).segments == 2
    assert sms_cost("[]{}|^~\\€").units == 18


def test_an_escape_pair_is_never_split_between_segments() -> None:
    # 152 plain septets then a 2-septet character: it does not fit in the 153 left, so it starts segment two.
    body = "a" * 152 + "€" + "a" * 150
    assert sms_cost(body).units == 304
    assert sms_cost(body).segments == 2
    assert sms_cost("a" * 152 + "€" + "a" * 152).segments == 3


@pytest.mark.parametrize(("text", "ucs2"), [
    ("Is the border open?", False), ("Ça va £5 @ 10:00, ¿qué?", False), ("Ça coûte", True), ("کیا سرحد کھلی ہے", True),
    ("সীমান্ত খোলা?", True), ("ދޯނި", True), ("เรือ", True), ("Hi 😀", True), ("smart quote \u2019", True),
])
def test_encoding_follows_the_characters(text: str, ucs2: bool) -> None:
    assert is_gsm7(text) is not ucs2
    assert sms_cost(text).encoding == (UCS2 if ucs2 else GSM7)


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_segments_are_70_then_67(length: int, segments: int) -> None:
    assert sms_cost("ب" * length).segments == segments


def test_emoji_count_as_two_utf16_units_and_are_not_split() -> None:
    assert sms_cost("😀" * 35).units == 70
    assert sms_cost("😀" * 35).segments == 1
    assert sms_cost("😀" * 36).segments == 2
    # 66 units then a pair: the pair moves to the next segment rather than being cut in half.
    assert sms_cost("ب" * 66 + "😀" + "ب" * 66).segments == 3


def test_a_1600_character_body() -> None:
    assert sms_cost("a" * 1600).segments == 11
    assert sms_cost("ب" * 1600).segments == 24
