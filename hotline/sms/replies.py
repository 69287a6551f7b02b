"""The texts the hotline sends by SMS, translated per caller language (gettext domain ``sms`` in locales/)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path

from babel.support import NullTranslations, Translations

from hotline.content.catalogues import catalogue_file, load_translations
from hotline.content.languages import LanguageTable
from hotline.settings import LOCALES_DIR

DOMAIN = "sms"

# The English source texts (msgids); their translations live in locales/<lang>/LC_MESSAGES/sms.po.
ACKNOWLEDGEMENT = ("Thank you for your message. It is confidential. Our team will read it and reply in your "
                   "language. We are open %(hours)s.")
HELP = ("Send us your question, or what you have been told. Send FACTS and a topic (e.g. FACTS boat) for checked "
        "facts, LANGUAGE to change language, CALL ME for a call back. Send STOP to stop messages.")
LANGUAGE_SET = "From now on we will reply in this language."
LANGUAGE_OPTIONS = "Send LANGUAGE and the name of your language: %(languages)s"
CALLBACK = "Thank you. Someone from our team will call you back during opening hours (%(hours)s)."
FACTS_PENDING = "We do not have checked facts on this yet. Our team will reply to you."
MESSAGES = (ACKNOWLEDGEMENT, HELP, LANGUAGE_SET, LANGUAGE_OPTIONS, CALLBACK, FACTS_PENDING)


def catalogue_path(language: str, root: Path = LOCALES_DIR) -> Path:
    """Where the ``sms`` catalogue of ``language`` lives (``prs``, or a script variant such as ``prs-Latn``)."""
    return catalogue_file(root, language, DOMAIN)


def reply_variant(language: str, script: str | None, languages: LanguageTable) -> str:
    """The catalogue to answer in: ``<language>-<script>`` (romanised Dari, ``prs-Latn``) when the caller wrote in
    a script other than the language's own and such a catalogue exists; otherwise the language itself."""
    own = languages.get(language)
    if script is None or own is None or own.script == script:
        return language
    variant = f"{language}-{script}"
    return variant if catalogue_path(variant).is_file() else language


@functools.cache
def translations(language: str | None) -> NullTranslations:
    """The compiled ``sms`` catalogue of ``language`` (English, the source texts, when there is none).

    Loaded once per process.
    """
    result = load_translations(LOCALES_DIR, language or "en", DOMAIN)
    if language and language != "en" and isinstance(result, Translations):
        result.add_fallback(translations("en"))  # an untranslated message reads in English, not as a msgid
    return result


ReviewedLookup = Callable[[str, str], str | None]
_reviewed: list[ReviewedLookup] = []


def set_reviewed_lookup(lookup: ReviewedLookup | None) -> None:
    """Plug in where native speakers' reviewed texts come from (the prompt studio); None unplugs it."""
    _reviewed.clear()
    if lookup is not None:
        _reviewed.append(lookup)


def render(language: str | None, msgid: str, **values: str) -> str:
    """``msgid`` in ``language`` with its placeholders filled in (a reviewed text wins over the catalogue)."""
    reviewed = _reviewed[0](language, msgid) if _reviewed and language else None
    text = reviewed or translations(language).gettext(msgid)
    return text % values if values else text


def language_names(languages: LanguageTable,
                   extra: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """What callers may write after LANGUAGE to pick each language: code, English and native names, and the
    names in other languages and scripts of ``extra`` (config/sms_keywords.yaml ``language_names``)."""
    names: dict[str, tuple[str, ...]] = {}
    for lang in languages.languages:
        aliases = {lang.name, lang.native_name, *lang.native_name.split()[-1:], *(extra or {}).get(lang.code, ())}
        aliases.discard("Bahasa")  # "Bahasa" alone names neither Malay nor Indonesian
        names[lang.code] = tuple(sorted(aliases))
    return names
