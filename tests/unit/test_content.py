"""The codebook and language table load, and broken files are reported with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.content.languages import load_languages
from hotline.content.taxonomy import load_taxonomy
from hotline.content.yamlfile import ContentError
from hotline.settings import CONFIG_DIR

DESIGN_LANGUAGES = ("prs", "haz", "ps", "ur", "bn", "rhg", "si", "ta", "dv", "ms", "id", "th", "en")
DESIGN_CATEGORIES = (
    "financial_gain", "smuggler_claims", "family_community", "dignity_exploitation", "destination_policy",
    "legal_pathways", "alternatives_home", "journey_risk", "protection_safety", "return_detention",
    "hotline_service", "other",
)


def test_shipped_language_table_matches_the_design() -> None:
    table = load_languages(CONFIG_DIR / "languages.yaml")
    assert table.codes == DESIGN_LANGUAGES
    assert {code for code in table.codes if table.get(code).rtl} == {"prs", "haz", "ps", "ur", "dv"}  # type: ignore[union-attr]
    voices = {lang.code: lang.twilio_say for lang in table.languages if lang.twilio_say}
    assert set(voices) == {"bn", "ta", "ms", "id", "th", "en"}


def test_shipped_codebook_matches_the_design() -> None:
    taxonomy = load_taxonomy(CONFIG_DIR / "taxonomy.yaml", DESIGN_LANGUAGES)
    assert taxonomy.category_ids == DESIGN_CATEGORIES
    assert taxonomy.type_ids == ("question", "rumour_belief", "concern_incident", "request", "praise", "incomplete")
    protection = taxonomy.category("protection_safety")
    assert protection is not None and protection.sensitive and protection.referral
    assert all(category.codes for category in taxonomy.categories)
    assert taxonomy.categories[0].label.in_language("prs") == "سود مالی"
    assert taxonomy.categories[0].label.in_language("th") == "Financial gain"


def test_coding_validation() -> None:
    taxonomy = load_taxonomy(CONFIG_DIR / "taxonomy.yaml")
    assert taxonomy.is_valid_coding("question", "legal_pathways", "visas")
    assert taxonomy.is_valid_coding(None, None, None)
    assert not taxonomy.is_valid_coding("question", "legal_pathways", "boats_allowed")
    assert not taxonomy.is_valid_coding("gossip", None, None)
    assert not taxonomy.is_valid_coding("question", None, "visas")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_language_error_names_file_line_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, """version: 1
languages:
  - code: en
    name: English
    native_name: English
    script: Latn
    direction: sideways
""")
    with pytest.raises(ContentError) as caught:
        load_languages(path)
    assert f"{path}:7: languages[0].direction: Must be one of" in str(caught.value)


def test_duplicate_language_code_is_named(tmp_path: Path) -> None:
    entry = "  - {code: en, name: E, native_name: E, script: Latn, direction: ltr}\n"
    path = _write(tmp_path, "version: 1\nlanguages:\n" + entry + entry)
    with pytest.raises(ContentError, match=r":4: languages\[1\]\.code: duplicate code 'en'"):
        load_languages(path)


def test_taxonomy_errors_name_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path, """version: 1
types:
  - {id: question, label: Question, labels: {xx: Frage}}
categories:
  - id: Bad-Id
    label: Bad
    codes: []
""")
    with pytest.raises(ContentError) as caught:
        load_taxonomy(path, DESIGN_LANGUAGES)
    message = str(caught.value)
    assert ":5: categories[0].id: must be lower_snake_case" in message
    assert ":7: categories[0].codes: Shorter than minimum length 1." in message


def test_unknown_label_language_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, """version: 1
types:
  - {id: question, label: Question, labels: {xx: Frage}}
categories:
  - {id: other, label: Other, codes: [{id: other, label: Other}]}
""")
    with pytest.raises(ContentError, match=r":3: types\[0\]\.labels: unknown language code"):
        load_taxonomy(path, DESIGN_LANGUAGES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nlanguages: [\n", "YAML syntax error"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ContentError, match=expected):
        load_languages(_write(tmp_path, text))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="file not found"):
        load_languages(tmp_path / "absent.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ContentError, match="not valid UTF-8"):
        load_languages(path)
