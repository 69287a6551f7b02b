"""Language decisions: script, the packaged statistical model, the romanised lexicon and the caller's language."""

from __future__ import annotations

import pytest

from hotline.sms.config import load_sms_config
from hotline.sms.language import detect_language, dominant_script

LEXICON = load_sms_config().romanised_lexicon


@pytest.mark.parametrize(("text", "script"), [
    ("کیا سرحد کھلی ہے", "Arab"), ("সীমান্ত খোলা?", "Beng"), ("දේශසීමාව විවෘතද?", "Sinh"),
    ("எல்லை திறந்திருக்கிறதா?", "Taml"), ("ދޯނިން ދާން", "Thaa"), ("ชายแดนเปิดไหม", "Thai"),
    ("Is it open?", "Latn"), ("WhatsApp پر سرحد کھلی ہے؟", "Arab"), ("😀 123 !!", None),
])
def test_dominant_script(text: str, script: str | None) -> None:
    assert dominant_script(text) == script


@pytest.mark.parametrize(("text", "language"), [
    ("کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے", "ur"),
    ("آیا سرحد استرالیا باز است؟ من می‌خواهم بروم", "prs"),
    ("ایا د استرالیا پوله خلاصه ده؟ زه غواړم چې لاړ شم", "ps"),
    ("সীমান্ত কি খোলা আছে?", "bn"),
    ("දේශසීමාව විවෘතද?", "si"),
    ("எல்லை திறந்திருக்கிறதா?", "ta"),
    ("ދޯނިން ދާން ރައްކާތެރިތޯ؟", "dv"),
    ("ชายแดนเปิดไหม 🚤", "th"),
    ("Is the border to Australia open this year?", "en"),
    ("Saya mahu bekerja di Malaysia, adakah ini benar?", "ms"),
    ("Apakah saya bisa dapat pekerjaan di Australia? Tolong kasih tahu", "id"),
])
def test_languages_in_their_scripts(text: str, language: str) -> None:
    decision = detect_language(text, None, LEXICON)
    assert decision.language == language
    assert 0.5 <= decision.confidence <= 1.0


def test_romanised_urdu_and_dari_use_the_lexicon() -> None:
    urdu = detect_language("bhai kya australia ka border khula hai", None, LEXICON)
    dari = detect_language("salam man mekhaham ba australia boro", None, LEXICON)
    assert (urdu.language, urdu.method) == ("ur", "lexicon")
    assert (dari.language, dari.method) == ("prs", "lexicon")


def test_the_callers_known_language_decides_between_close_languages() -> None:
    # The model cannot tell Hazaragi from Dari: a caller known to write Hazaragi stays Hazaragi.
    decision = detect_language("آیا سرحد باز است", "haz", LEXICON)
    assert decision.language == "haz"
    assert decision.method == "model+caller"


def test_a_single_script_language_overrides_a_known_language_in_another_script() -> None:
    assert detect_language("ชายแดนเปิดไหม", "ur", LEXICON).language == "th"


def test_no_letters_falls_back_to_the_known_language() -> None:
    assert detect_language("😀👍", "bn", LEXICON).language == "bn"
    unknown = detect_language("😀👍", None, LEXICON)
    assert (unknown.language, unknown.confidence) == (None, 0.0)
    assert detect_language(None, None, LEXICON).language is None


def test_the_model_file_is_read_once_for_every_script_and_restricted_copies_do_not_touch_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hotline.sms import language

    real = language.LanguageIdentifier.from_modelpath
    reads: list[object] = []

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(language.LanguageIdentifier, "from_modelpath", counted)
    language._identifier.cache_clear()
    language._full_identifier.cache_clear()
    language.preload()
    full = language._full_identifier()
    classes_before = list(full._full_model[2])
    arabic = language.model_scores("کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے", ("ur", "prs", "ps"))
    latin = language.model_scores("Saya mahu bekerja di Malaysia", ("en", "ms", "id"))
    assert len(reads) == 1  # one read of the file, however many scripts have several languages
    assert set(arabic) <= {"ur", "prs", "ps"} and max(arabic, key=arabic.__getitem__) == "ur"
    assert set(latin) <= {"en", "ms", "id"}
    assert list(full._full_model[2]) == classes_before  # each candidate set restricts its own copy only
