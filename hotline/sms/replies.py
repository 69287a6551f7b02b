"""The texts the hotline sends by SMS, translated per caller language (gettext domain ``sms`` in locales/)."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

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
    """Where the ``sms`` catalogue of ``language`` lives."""
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str | None) -> NullTranslations:
    """The compiled ``sms`` catalogue of ``language`` (English, the source texts, when there is none).

    .mo files are build products (not in git), so the .po is compiled in memory once per process.
    """
    path = catalogue_path(language or "en")
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as source:
        catalogue = read_po(source, locale=None, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    result = Translations(compiled, domain=DOMAIN)
    if language and language != "en":
        result.add_fallback(translations("en"))  # an untranslated message reads in English, not as a msgid
    return result


def render(language: str | None, msgid: str, **values: str) -> str:
    """``msgid`` in ``language`` with its placeholders filled in."""
    text = translations(language).gettext(msgid)
    return text % values if values else text


def language_names(languages: LanguageTable) -> dict[str, tuple[str, ...]]:
    """What callers may write after LANGUAGE to pick each language: code, English and native names."""
    names: dict[str, tuple[str, ...]] = {}
    for lang in languages.languages:
        aliases = {lang.name, lang.native_name, *lang.native_name.split()[-1:]}
        aliases.discard("Bahasa")  # "Bahasa" alone names neither Malay nor Indonesian
        names[lang.code] = tuple(sorted(aliases))
    return names
