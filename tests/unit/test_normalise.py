"""Normalisation per script and redaction of personal data (pure, no Flask, no database)."""

from __future__ import annotations

import pytest

from hotline.classify.normalise import ascii_digits, normalise
from hotline.classify.redaction import EMAIL_MARK, ID_MARK, redact


@pytest.mark.parametrize(("a", "b"), [
    ("كار", "کار"),                      # Arabic kaf vs Persian keheh
    ("ايران", "ایران"),                  # Arabic yeh vs Persian yeh
    ("على", "علی"),                      # alef maksura
    ("می‌خواهم", "میخواهم"),              # ZWNJ (half-space)
    ("كـــشـــتی", "کشتی"),               # tatweel
    ("مَرْزْ", "مرز"),                    # harakat
    ("آمریکا", "امریکا"),                # alef madda typed plain
    ("کہاں", "کهاں"),                    # Urdu heh goal
])
def test_arabic_script_variants_fold_together(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(("local", "ascii_"), [
    ("۱۲۳", "123"), ("١٢٣", "123"), ("১২৩", "123"), ("๑๒๓", "123"), ("௧௨௩", "123"), ("෧෨෩", "123"),
])
def test_local_digits_become_ascii(local: str, ascii_: str) -> None:
    assert ascii_digits(local) == ascii_
    assert normalise(f"x {local}") == f"x {ascii_}"


def test_case_punctuation_and_spaces() -> None:
    assert normalise("  Is the BORDER   open?!  ") == "is the border open"
    assert normalise("Is the border open?", keep_question_mark=True) == "is the border open ?"
    assert normalise("مرز باز است؟", keep_question_mark=True) == "مرز باز است ?"


def test_indic_thai_and_thaana_marks_are_kept() -> None:
    # Vowel signs carry meaning in these scripts; only Arabic diacritics are dropped.
    for text in ("কাজ", "රැකියාව", "வேலை", "เรือ", "ދޯނި"):
        assert normalise(text) == text


def test_thai_without_spaces_is_left_whole() -> None:
    assert normalise("เรือออกพรุ่งนี้") == "เรือออกพรุ่งนี้"


def test_nfkc_folds_full_width() -> None:
    assert normalise("\uff22\uff2f\uff21\uff34") == "boat"


def test_redact_phone_email_and_ids() -> None:
    text = "call +93 70 123 4567 or 0701234567, mail ali.k@example.org, passport P1234567, cnic 35202-1234567-1"
    out = redact(text)
    assert "4567" not in out and "0701234567" not in out and "ali.k" not in out and "P1234567" not in out
    assert "35202" not in out
    assert EMAIL_MARK in out and ID_MARK in out
    assert "[+93" in out  # the masked phone keeps only its country code and a few digits


def test_redact_numbers_in_local_digits() -> None:
    assert "৩৫২০২" not in redact("আমার নম্বর ৩৫২০২১২৩৪৫")
    assert ID_MARK in redact("شماره من ۰۷۰۱۲۳۴۵۶۷ است")


def test_redact_keeps_small_numbers() -> None:
    # Prices, head counts and dates are what rumours are about: fewer than five digits stay.
    assert redact("the boat takes 300 people for 5000 dollars in 2 days") == \
        "the boat takes 300 people for 5000 dollars in 2 days"


def test_latin_accents_are_optional() -> None:
    assert normalise("Hám fóisa") == "ham foisa"


def test_document_numbers_are_not_mistaken_for_phones_with_a_region() -> None:
    out = redact("send passport P1234567 and NIC 199012345678V", region="AF")
    assert "1234567" not in out and "199012345678" not in out
    assert out.count(ID_MARK) == 2
