"""The web UI's gettext catalogues (domain `messages`): complete, in step with the sources, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from hotline.content.languages import load_languages
from hotline.i18n import compile_catalogues
from hotline.settings import CONFIG_DIR

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "hotline" / "locales"
REQUIRED = ("en", "prs", "id")  # the console must be complete in these (issue 7, point 8)
PRESENT = tuple(sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/messages.po")))
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# Languages written in a script other than Latin, and a letter of that script every translation must contain.
SCRIPT_LETTER = {
    "prs": r"[\u0600-\u06FF]", "haz": r"[\u0600-\u06FF]", "ps": r"[\u0600-\u06FF]", "ur": r"[\u0600-\u06FF]",
    "bn": r"[\u0980-\u09FF]", "si": r"[\u0D80-\u0DFF]", "ta": r"[\u0B80-\u0BFF]", "dv": r"[\u0780-\u07BF]",
    "th": r"[\u0E00-\u0E7F]",
}


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _template() -> Catalog:
    return _read(LOCALES / "messages.pot")


def placeholders(text: str) -> list[str]:
    """The printf-style placeholders in ``text`` (``%(name)s``, ``%d``), sorted; ``%%`` is a literal, not one."""
    return sorted(match for match in PLACEHOLDER.findall(text) if match != "%%")


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_the_required_languages_have_catalogues() -> None:
    assert set(REQUIRED) <= set(PRESENT)


@pytest.mark.parametrize("lang", REQUIRED)
def test_catalogue_is_complete_and_reviewed(lang: str) -> None:
    catalogue = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po")
    untranslated = [m.id for m in catalogue if m.id and not all(_strings(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"{lang}: untranslated entries {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy (unreviewed) entries {fuzzy}"


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_template_msgid_is_in_the_catalogue(lang: str) -> None:
    catalogue = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po")
    missing = [m.id for m in _template() if m.id and m.id not in catalogue]
    assert not missing, (f"{lang}: in messages.pot but not in messages.po: {missing}; run `pybabel update -i "
                         f"locales/messages.pot -d locales -D messages` and translate them")


def test_the_template_is_in_step_with_the_sources() -> None:
    """Every string marked for translation (per babel.cfg) is in messages.pot: none ships untranslated."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    extracted = {message[2] if isinstance(message[2], str) else message[2][0]
                 for message in extract_from_dir(str(ROOT), method_map, options_map,
                                                 keywords={"_": None, "gettext": None, "lazy_gettext": None,
                                                           "ngettext": (1, 2), "pgettext": ((1, "c"), 2)})}
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _template() if m.id}
    missing = sorted(extracted - template_ids)
    assert not missing, (f"not in locales/messages.pot: {missing}; run the pybabel extract command in babel.cfg "
                         f"(or, for another gettext domain's code, add an [ignore: ...] section there)")


@pytest.mark.parametrize("lang", PRESENT)
def test_placeholders_survive_translation(lang: str) -> None:
    for message in _read(LOCALES / lang / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        # A plural entry's forms follow its plural msgid ("%(num)d reports"), which names every placeholder.
        wanted = placeholders(_strings(message.id)[-1])
        for translation in _strings(message.string):
            if translation:
                assert placeholders(translation) == wanted, f"{lang}: {message.id!r} -> {translation!r}"


@pytest.mark.parametrize("lang", [lang for lang in PRESENT if lang in SCRIPT_LETTER])
def test_translations_are_written_in_the_languages_script(lang: str) -> None:
    """Guards against English pasted into, say, the Dari catalogue: 'translated' but not."""
    letter = re.compile(SCRIPT_LETTER[lang])
    for message in _read(LOCALES / lang / "LC_MESSAGES" / "messages.po"):
        if message.id:
            for translation in _strings(message.string):
                # An untranslated entry ("") shows the English text; completeness is checked where it is required.
                assert not translation or letter.search(translation), f"{lang}: {message.id!r} -> {translation!r}"


def _field_page_msgids() -> set[str]:
    """Every string a focal point can see: the /field pages (not the staff's console_* ones) and their views."""
    keywords = {"_": None, "gettext": None, "lazy_gettext": None}
    templates = [ROOT / "hotline/templates/base.html",
                 *(p for p in (ROOT / "hotline/templates/field").glob("*.html") if not p.name.startswith("console_"))]
    found = [m for path in templates for m in extract_from_file("jinja2", str(path), keywords=keywords,
                                                                 options={"extensions": "jinja2.ext.i18n"})]
    found += extract_from_file("python", str(ROOT / "hotline/field/views.py"), keywords=keywords)
    return {message[1] for message in found if isinstance(message[1], str)}  # (line, message, comments, context)


def test_field_pages_are_offered_in_every_language() -> None:
    assert set(PRESENT) == set(load_languages(CONFIG_DIR / "languages.yaml").codes)


@pytest.mark.parametrize("lang", PRESENT)
def test_field_pages_are_translated_in_every_catalogue(lang: str) -> None:
    catalogue = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po")
    wanted = _field_page_msgids()
    assert len(wanted) > 30
    untranslated = sorted(msgid for msgid in wanted if not (catalogue.get(msgid) and catalogue[msgid].string))
    assert not untranslated, f"{lang}: field page strings not translated: {untranslated}"


@pytest.mark.parametrize("lang", PRESENT)
def test_no_catalogue_ships_fuzzy_entries(lang: str) -> None:
    catalogue = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po")
    assert not [m.id for m in catalogue if m.id and m.fuzzy], f"{lang}: review the fuzzy entries"


def test_placeholder_pattern_finds_named_and_positional_placeholders() -> None:
    assert placeholders("%(count)d reports from %(name)s, 100%% done, %s") == ["%(count)d", "%(name)s", "%s"]
    assert placeholders("100%% sûr") == []


def test_compile_catalogues_writes_mo_files_that_skip_fuzzy_entries(tmp_path: Path) -> None:
    catalogue = Catalog(locale="id", domain="messages")
    catalogue.add("Hello", "Halo")
    catalogue.add("Goodbye", "Sampai jumpa", flags=["fuzzy"])
    po_path = tmp_path / "id" / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True)
    with po_path.open("wb") as handle:
        write_po(handle, catalogue)

    assert compile_catalogues(tmp_path) == [po_path.with_suffix(".mo")]
    assert compile_catalogues(tmp_path) == []  # up to date: nothing rewritten
    translations = Translations.load(str(tmp_path), ["id"], "messages")
    assert translations.gettext("Hello") == "Halo"
    assert translations.gettext("Goodbye") == "Goodbye"  # fuzzy means unreviewed: not shown
    assert po_path.with_suffix(".mo").stat().st_mode & 0o044 == 0o044  # readable by a server running as another user
