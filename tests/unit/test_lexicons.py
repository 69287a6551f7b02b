"""The keyword lexicons: every file loads, covers the codebook, and bad files are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.classify.cues import count_hits, lexicons_for, urgency_flags
from hotline.classify.lexicon import Lexicon, load_lexicon, load_lexicons
from hotline.classify.normalise import normalise
from hotline.content.languages import load_languages
from hotline.content.taxonomy import Taxonomy, load_taxonomy
from hotline.content.yamlfile import ContentError
from hotline.settings import CONFIG_DIR

LEXICON_DIR = CONFIG_DIR / "lexicons"
WRITTEN = ("prs", "haz", "ps", "ur", "bn", "si", "ta", "dv", "ms", "id", "th", "en", "ur-Latn", "prs-Latn", "rhg")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(CONFIG_DIR / "taxonomy.yaml")


@pytest.fixture(scope="module")
def lexicons(taxonomy: Taxonomy) -> dict[str, Lexicon]:
    codes = load_languages(CONFIG_DIR / "languages.yaml").codes
    return load_lexicons(LEXICON_DIR, taxonomy, codes)


def test_every_written_language_has_a_lexicon_covering_every_category(
        lexicons: dict[str, Lexicon], taxonomy: Taxonomy) -> None:
    assert set(WRITTEN) <= set(lexicons)
    for name in WRITTEN:
        for category in taxonomy.category_ids:
            if category != "other":
                assert lexicons[name].categories[category], (name, category)
        assert set(lexicons[name].urgency) == {"imminent_departure", "held_or_debt", "threats",
                                               "unaccompanied_children", "protection_need"}, name


def test_romanised_lexicons_belong_to_their_language(lexicons: dict[str, Lexicon]) -> None:
    assert lexicons["ur-Latn"].language == "ur" and lexicons["ur-Latn"].script == "Latn"
    assert lexicons["prs-Latn"].language == "prs"
    assert {lx.name for lx in lexicons_for("ur", lexicons)} == {"ur", "ur-Latn", "en"}


def test_keywords_are_stored_normalised(lexicons: dict[str, Lexicon]) -> None:
    for lexicon in lexicons.values():
        for words in lexicon.categories.values():
            assert all(word == normalise(word) for word in words)


@pytest.mark.parametrize(("language", "text", "category"), [
    ("en", "The agent said the border is open now", "destination_policy"),
    ("prs", "قاچاقبر گفت کشتي کلان است", "smuggler_claims"),          # Arabic yeh typed
    ("ur", "agent ne kaha Italy mein naukri pakki hai, tankhwa achi", "financial_gain"),
    ("th", "เรือล่มกลางทะเลจริงไหม", "journey_risk"),
    ("bn", "দালাল বলেছে বড় নৌকা", "smuggler_claims"),
    ("id", "paspor ditahan majikan", "dignity_exploitation"),
])
def test_category_cues(lexicons: dict[str, Lexicon], language: str, text: str, category: str) -> None:
    hits = count_hits(normalise(text), lexicons_for(language, lexicons), "categories")
    assert hits.most_common(1)[0][0] == category


@pytest.mark.parametrize(("language", "text", "flag"), [
    ("en", "the boat leaves tomorrow night", "imminent_departure"),
    ("ms", "bot esok bertolak", "imminent_departure"),
    ("prs", "فردا حرکت میکنیم", "imminent_departure"),
    ("ur", "agent dhamki de raha hai", "threats"),
    ("th", "ลูกไปคนเดียวกับนายหน้า", "unaccompanied_children"),
    ("bn", "দালাল আটকে রেখেছে", "held_or_debt"),
])
def test_urgency_cues(lexicons: dict[str, Lexicon], language: str, text: str, flag: str) -> None:
    assert flag in urgency_flags(normalise(text), lexicons_for(language, lexicons))


def test_keywords_start_words_outside_thai(lexicons: dict[str, Lexicon]) -> None:
    assert "return_detention" in count_hits("they deported him", [lexicons["en"]], "categories")
    assert "financial_gain" not in count_hits("adjobs", [lexicons["en"]], "categories")


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_unknown_category_is_named_with_file_and_line(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = _write(tmp_path, "en", "language: en\nscript: Latn\ncategories:\n  smugglers: [agent]\n")
    with pytest.raises(ContentError) as info:
        load_lexicon(path, taxonomy)
    assert "en.yaml:3: categories" in str(info.value) and "smugglers" in str(info.value)


def test_missing_category_and_bad_urgency_are_rejected(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = _write(tmp_path, "en", "language: en\nscript: Latn\ncategories: {financial_gain: [job]}\n")
    with pytest.raises(ContentError, match="no keywords for"):
        load_lexicon(path, taxonomy)
    body = (LEXICON_DIR / "en.yaml").read_text(encoding="utf-8").replace("  threats:", "  menaces:")
    with pytest.raises(ContentError, match="menaces"):
        load_lexicon(_write(tmp_path, "en", body), taxonomy)


def test_language_must_match_file_name(tmp_path: Path, taxonomy: Taxonomy) -> None:
    body = (LEXICON_DIR / "en.yaml").read_text(encoding="utf-8")
    with pytest.raises(ContentError, match="does not match the file name"):
        load_lexicon(_write(tmp_path, "ms", body), taxonomy)


def test_bad_file_name_is_rejected(tmp_path: Path, taxonomy: Taxonomy) -> None:
    _write(tmp_path, "english", (LEXICON_DIR / "en.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ContentError, match="file name"):
        load_lexicons(tmp_path, taxonomy)
