"""The `sms` gettext catalogues: one per language, complete, placeholders intact, keywords matching the config."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from hotline.content.languages import load_languages
from hotline.settings import CONFIG_DIR
from hotline.sms import replies
from hotline.sms.config import load_sms_config
from hotline.sms.keywords import normalise

CODES = load_languages(CONFIG_DIR / "languages.yaml").codes
UNTRANSLATED = {"en"}  # English is the source


@pytest.mark.parametrize("code", CODES)
def test_every_language_has_a_reviewed_catalogue(code: str) -> None:
    path = replies.catalogue_path(code)
    text = path.read_text(encoding="utf-8")
    assert "NATIVE SPEAKER REVIEW REQUIRED" in text
    with path.open("rb") as source:
        catalogue = read_po(source)
    ids = {m.id for m in catalogue if m.id}
    assert ids == set(replies.MESSAGES)
    for message in catalogue:
        if not message.id or not message.string:
            continue
        assert re.findall(r"%\(\w+\)s", message.string) == re.findall(r"%\(\w+\)s", str(message.id))
    if code not in UNTRANSLATED:
        assert all(m.string for m in catalogue if m.id), code


@pytest.mark.parametrize("code", [c for c in CODES if c not in UNTRANSLATED])
def test_replies_render_in_the_callers_language(code: str) -> None:
    ack = replies.render(code, replies.ACKNOWLEDGEMENT, hours="08:00-20:00")
    assert "08:00-20:00" in ack
    assert ack != replies.render("en", replies.ACKNOWLEDGEMENT, hours="08:00-20:00")


def test_a_language_without_a_catalogue_falls_back_to_english() -> None:
    assert replies.render("xx", replies.HELP) == replies.HELP


@pytest.mark.parametrize("code", [c for c in CODES if c not in UNTRANSLATED])
def test_keywords_quoted_in_help_are_real_keywords(code: str) -> None:
    config = load_sms_config()
    known = {normalise(w) for by_language in config.keywords.values() for w in by_language.get(code, ())}
    quoted = re.findall(r"«([^»]+)»", replies.render(code, replies.HELP))
    for word in quoted:
        assert normalise(word) in known, (code, word)
