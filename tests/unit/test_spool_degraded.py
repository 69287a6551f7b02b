"""The degraded answers (pure): languages from the caller's country, a valid fallback file, acknowledgements."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.content.languages import load_languages
from hotline.content.yamlfile import ContentError
from hotline.ivr.content import load_ivr_content
from hotline.settings import CONFIG_DIR
from hotline.sms.config import load_sms_config
from hotline.spool import degraded

LANGUAGES = load_languages(CONFIG_DIR / "languages.yaml")
PROMPTS = load_ivr_content(LANGUAGES).prompts
CONFIG = degraded.load_fallback_config(CONFIG_DIR / "fallback.yaml", frozenset(LANGUAGES.codes),
                                       frozenset(PROMPTS.sources))
URLS = degraded.DegradedUrls("/twilio/fallback?stage=recorded", "/twilio/fallback?stage=callback",
                             lambda path: f"/ivr/audio/{path}")


def test_languages_come_from_the_country_of_the_number() -> None:
    assert CONFIG.languages_for("+66812345678") == ("th",)
    assert CONFIG.languages_for("whatsapp:+93701234567") == ("prs", "ps")
    assert CONFIG.languages_for(None) == CONFIG.default_languages
    assert CONFIG.languages_for("+14155550100") == CONFIG.default_languages


def test_a_call_hears_the_notice_records_and_is_thanked() -> None:
    twiml = degraded.degraded_call(CONFIG, PROMPTS, URLS, "+66812345678")
    assert twiml.index("<Say") < twiml.index("<Record") < twiml.rindex("<Say") < twiml.index("<Hangup")
    assert 'recordingStatusCallback="/twilio/fallback?stage=callback"' in twiml and 'language="th-TH"' in twiml
    assert "<Hangup" in degraded.degraded_thanks(CONFIG, PROMPTS, URLS, None)


def test_texts_are_acknowledged_except_twilio_keywords_and_floods() -> None:
    sms = load_sms_config()
    assert "<Message>" in degraded.acknowledgement(CONFIG, sms, "Is the border open?", "+93701234567")
    assert "<Message>" not in degraded.acknowledgement(CONFIG, sms, "STOP", "+93701234567")
    assert "<Message>" not in degraded.acknowledgement(CONFIG, sms, "hello", "+93701234567", allowed=False)


def test_the_limiter_allows_count_per_window_per_sender() -> None:
    limiter = degraded.AckLimiter(2, 60)
    assert [limiter.allow("+1", t) for t in (0, 1, 2)] == [True, True, False]
    assert limiter.allow("+2", 2) and limiter.allow("+1", 61)


def test_a_bad_fallback_file_names_file_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "fallback.yaml"
    bad.write_text((CONFIG_DIR / "fallback.yaml").read_text().replace("TH: [th]", "TH: [klingon]"))
    with pytest.raises(ContentError, match=r"fallback.yaml:\d+: countries"):
        degraded.load_fallback_config(bad, frozenset(LANGUAGES.codes), frozenset(PROMPTS.sources))
