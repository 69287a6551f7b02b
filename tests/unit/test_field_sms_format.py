"""The focal points' SMS format (pure)."""

from __future__ import annotations

from hotline.field.sms_config import load_field_sms_config
from hotline.field.sms_format import FieldSms, MalformedFieldSms, parse_field_sms

CONFIG = load_field_sms_config()


def test_the_format_in_several_scripts() -> None:
    assert parse_field_sms("FP 12 people said the border opens in March", CONFIG) == FieldSms(
        None, 12, "people said the border opens in March")
    assert parse_field_sms("fp: ۱۲ مرز باز است", CONFIG) == FieldSms(None, 12, "مرز باز است")
    assert parse_field_sms("রিপোর্ট ১২ সীমান্ত খোলা", CONFIG) == FieldSms("bn", 12, "সীমান্ত খোলা")
    assert parse_field_sms("lapor 3 kapal berangkat", CONFIG) == FieldSms(None, 3, "kapal berangkat")


def test_malformed_and_ordinary_texts() -> None:
    assert parse_field_sms("FP", CONFIG) == MalformedFieldSms(None)
    assert parse_field_sms("FP many people", CONFIG) == MalformedFieldSms(None)
    assert parse_field_sms("FP 0 nobody", CONFIG) == MalformedFieldSms(None)
    assert parse_field_sms("FP 12", CONFIG) == MalformedFieldSms(None)
    assert parse_field_sms("Is the border open?", CONFIG) is None
    assert parse_field_sms("", CONFIG) is None
    assert parse_field_sms("FPX 12 words", CONFIG) is None


def test_replies_fall_back_to_english() -> None:
    assert CONFIG.reply("confirmation", "si", reference=5, people=3).startswith("Thank you. Report 5")
    assert "FP" in CONFIG.reply("hint", "prs")
