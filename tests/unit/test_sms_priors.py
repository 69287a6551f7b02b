"""Language priors from the numbers, cue words for close languages, romanised lexicons, Latin reply variants and
language names as keywords (pure)."""

from __future__ import annotations

import re

import pytest

from hotline.content.languages import load_languages
from hotline.settings import CONFIG_DIR
from hotline.sms import replies
from hotline.sms.config import load_sms_config
from hotline.sms.keywords import Command, interpret, normalise, resolve_language
from hotline.sms.language import cue_counts, cue_form, detect_language, weigh
from hotline.sms.priors import country_of, language_priors

CONFIG = load_sms_config()
LANGUAGES = load_languages(CONFIG_DIR / "languages.yaml")


def _detect(text: str, known: str | None = None, priors: dict[str, float] | None = None) -> str | None:
    return detect_language(text, known, CONFIG.romanised_lexicon, priors=priors, cues=CONFIG.language_cues).language


@pytest.mark.parametrize(("address", "country"), [
    ("+62210000000", "ID"), ("whatsapp:+60123456789", "MY"), ("+8802000000000", "BD"), ("+9603000000", "MV"),
    ("+93790000000", "AF"), (None, None), ("not a number", None), ("", None),
])
def test_country_of_a_number(address: str | None, country: str | None) -> None:
    assert country_of(address) == country


def test_priors_add_up_over_the_line_and_the_sender() -> None:
    table = {"MY": ("ms", "rhg"), "ID": ("id",)}
    assert language_priors(("MY", "ID"), table) == {"ms": 1.0, "rhg": 0.5, "id": 1.0}
    assert language_priors(("MY", "MY"), table) == {"ms": 2.0, "rhg": 1.0}
    assert language_priors((None, "US"), table) == {}


def test_cue_words_are_compared_in_one_form_per_letter() -> None:
    assert cue_form("موکنه") == cue_form("موكنه")  # Arabic-keyboard kaf
    assert cue_form("می‌خواهم") == "میخواهم"  # ZWNJ dropped
    assert cue_counts("Saya MAU ke sana, gimana?", CONFIG.language_cues, ("ms", "id")) == {"ms": 0, "id": 2}


@pytest.mark.parametrize(("text", "priors", "language"), [
    ("Saya mau kerja di Malaysia, gimana caranya dapat paspor?", {}, "id"),
    ("Saya mau kerja di Malaysia, gimana caranya dapat paspor?", {"ms": 2.0}, "id"),  # words beat the line
    ("saya nak tahu pasal permit kerja", {"id": 2.0}, "ms"),
    ("Terima kasih banyak", {"id": 1.0}, "id"),  # the same in both: the numbers decide
    ("Terima kasih banyak", {"ms": 1.0}, "ms"),
])
def test_malay_or_indonesian_from_words_and_numbers(text: str, priors: dict[str, float], language: str) -> None:
    assert _detect(text, priors=priors) == language


def test_the_callers_history_is_a_prior_that_clear_words_outweigh() -> None:
    assert _detect("Terima kasih banyak", known="ms", priors={"id": 1.0}) == "ms"
    assert _detect("Saya mau kerja di sana, gimana caranya dapat paspor?", known="ms") == "id"


@pytest.mark.parametrize(("text", "known", "priors", "language"), [
    ("قاچاقبر موگه کشتی کلو اس", None, {}, "haz"),
    ("قاچاقبر میگه کشتی بزرگ است", None, {}, "prs"),
    ("آیا سرحد باز است", "haz", {}, "haz"),
    ("آیا سرحد باز است", None, {"prs": 1.0, "haz": 0.5}, "prs"),
    ("قاچاقبر وایي چې بېړۍ لویه ده", None, {"prs": 1.0}, "ps"),
    ("ایجنٹ کہتا ہے کشتی بڑی ہے", None, {"prs": 1.0}, "ur"),
])
def test_dari_hazaragi_pashto_urdu(text: str, known: str | None, priors: dict[str, float], language: str) -> None:
    assert _detect(text, known, priors) == language


def test_weights_are_probabilities() -> None:
    weights = weigh("Saya mau kerja", ("en", "ms", "id"), None, {"ms": 1.0}, CONFIG.language_cues)
    assert abs(sum(weights.values()) - 1.0) < 1e-9
    assert max(weights, key=lambda code: weights[code]) == "id"


@pytest.mark.parametrize(("text", "priors", "language"), [
    ("bhai italy border ki khola ekhon", {}, "bn"),
    ("dalal bolse mashe ek lakh taka income hobe", {}, "bn"),
    ("dalal hoiye hám gorile mashe beton beshi, sotto ni?", {}, "rhg"),
    ("nouka dubi gese teknaf ot bout manush mori gese", {"rhg": 0.5}, "rhg"),
    ("hello, is the border open", {"rhg": 1.0}, "en"),
])
def test_romanised_bengali_and_rohingya(text: str, priors: dict[str, float], language: str) -> None:
    assert _detect(text, priors=priors) == language


@pytest.mark.parametrize(("language", "script", "variant"), [
    ("prs", "Latn", "prs-Latn"), ("ur", "Latn", "ur-Latn"), ("bn", "Latn", "bn-Latn"), ("haz", "Latn", "haz-Latn"),
    ("ps", "Latn", "ps-Latn"), ("prs", "Arab", "prs"), ("prs", None, "prs"), ("rhg", "Latn", "rhg"),
    ("th", "Latn", "th"),  # no romanised Thai catalogue: the language's own
])
def test_reply_variant(language: str, script: str | None, variant: str) -> None:
    assert replies.reply_variant(language, script, LANGUAGES) == variant


@pytest.mark.parametrize("variant", ["prs-Latn", "haz-Latn", "ur-Latn", "bn-Latn", "ps-Latn"])
def test_latin_variants_are_complete_latin_and_quote_real_keywords(variant: str) -> None:
    keywords = {normalise(w) for by_language in CONFIG.keywords.values() for words in by_language.values()
                for w in words}
    for msgid in replies.MESSAGES:
        text = replies.render(variant, msgid, hours="08:00-20:00", languages="x")
        assert text != replies.render("en", msgid, hours="08:00-20:00", languages="x"), (variant, msgid)
        assert not re.search(r"[\u0600-\u06ff\u0980-\u09ff]", text), (variant, msgid)
    for word in re.findall(r"«([^»]+)»", replies.render(variant, replies.HELP)):
        assert normalise(word) in keywords, (variant, word)


def test_rohingya_is_answered_in_rohingya() -> None:
    assert replies.render("rhg", replies.HELP) != replies.HELP


@pytest.mark.parametrize(("argument", "code"), [
    ("bangla", "bn"), ("বাংলা", "bn"), ("dari", "prs"), ("فارسی", "prs"), ("pashto", "ps"), ("پښتو", "ps"),
    ("hazaragi", "haz"), ("urdu", "ur"), ("اردو", "ur"), ("rohingya", "rhg"), ("ruáingga", "rhg"),
    ("sinhala", "si"), ("தமிழ்", "ta"), ("dhivehi", "dv"), ("ދިވެހި", "dv"), ("bahasa indonesia", "id"),
    ("melayu", "ms"), ("ภาษาไทย", "th"), ("english", "en"), ("klingon", None),
])
def test_language_names_in_every_script(argument: str, code: str | None) -> None:
    assert resolve_language(argument, replies.language_names(LANGUAGES, CONFIG.language_names)) == code


@pytest.mark.parametrize(("body", "language", "argument"), [
    ("language bangla", "en", "bangla"), ("zaban dari", "prs", "dari"), ("ভাষা বাংলা", "bn", "বাংলা"),
    ("বাংলা", None, "বাংলা"), ("Dari!", None, "dari"),
])
def test_language_keywords_and_bare_language_names(body: str, language: str | None, argument: str) -> None:
    found = interpret(body, CONFIG)
    assert found is not None
    assert (found.command, found.language, found.argument) == (Command.LANGUAGE, language, argument)


def test_a_country_name_alone_is_not_a_language_choice() -> None:
    assert interpret("Malaysia", CONFIG) is None
    assert interpret("Indonesia", CONFIG) is None
