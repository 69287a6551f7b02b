"""Prompts per language: gettext catalogues (domain ``ivr``) and audio files, resolved as the design says.

A prompt resolves, in order, to: a recording approved in the prompt studio (database) -> a human recording in
ivr_scripts/audio/<lang>/<prompt>.(mp3|wav) -> Twilio <Say>
for a language with a Twilio voice and a translation -> a synthesised stand-in in
ivr_scripts/audio/<lang>/synthetic/<prompt>.wav -> nothing, and then the language is not offered.
Files are scanned once at start-up, so resolving a prompt during a call touches neither disk nor database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.support import NullTranslations

from hotline.content import catalogues
from hotline.content.languages import Language, LanguageTable

DOMAIN = "ivr"
RECORDED, TTS, SYNTHETIC, MISSING = "recorded", "tts", "synthetic", "missing"
AUDIO_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav"}
SOURCE_LANGUAGE = "en"
STUDIO_FOLDER = "studio"  # audio paths <lang>/studio/<id>.wav: approved recordings from the database


@dataclass(frozen=True)
class Resolved:
    """How one prompt is played in one language: ``audio`` is a path under the audio folder, else ``text``."""

    prompt: str
    language: str
    source: str
    text: str | None = None
    say_language: str | None = None
    audio: str | None = None


def load_translations(locales_dir: Path, code: str) -> NullTranslations:
    """The ``ivr`` catalogue of one language (fuzzy entries are unreviewed guesses: never spoken)."""
    return catalogues.load_translations(locales_dir, code, DOMAIN)


def scan_audio(audio_dir: Path, language: str, stand_in_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """Recorded and synthetic audio files of one language: {"recorded": {prompt: path}, "synthetic": {...}}.

    Recordings ship in ``audio_dir``; stand-ins are built where the instance keeps them (``stand_in_dir``, default
    ``audio_dir``). Paths are ``<lang>/<prompt>.wav`` and ``<lang>/synthetic/<prompt>.wav`` either way.
    """
    found: dict[str, dict[str, str]] = {RECORDED: {}, SYNTHETIC: {}}
    stand_ins = stand_in_dir or audio_dir
    for kind, root, folder in ((RECORDED, audio_dir, audio_dir / language),
                               (SYNTHETIC, stand_ins, stand_ins / language / "synthetic")):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in AUDIO_TYPES and path.stat().st_size > 0:
                found[kind].setdefault(path.stem, path.relative_to(root).as_posix())
    return found


class PromptBook:
    """Every prompt of a flow, resolved in every language, computed once."""

    def __init__(self, sources: Mapping[str, str], used: Iterable[str], languages: LanguageTable,
                 locales_dir: Path, audio_dir: Path, *, translations: Mapping[str, NullTranslations] | None = None,
                 studio: Mapping[tuple[str, str], int] | None = None,
                 reviewed: Mapping[tuple[str, str], str] | None = None, stand_in_dir: Path | None = None):
        self.sources = dict(sources)
        self.used = tuple(used)
        self.languages = languages
        self.locales_dir = locales_dir
        self.audio_dir = audio_dir
        self.stand_in_dir = stand_in_dir
        self.translations = dict(translations) if translations is not None else {
            code: load_translations(locales_dir, code) for code in languages.codes}
        self.studio = dict(studio or {})  # (language, prompt) -> approved studio recording id
        self.reviewed = dict(reviewed or {})  # (language, prompt) -> reviewed text
        self._resolved = {
            (lang.code, prompt): self._resolve(lang, prompt, scan_audio(audio_dir, lang.code, stand_in_dir))
            for lang in languages.languages for prompt in self.sources
        }

    def with_studio(self, studio: Mapping[tuple[str, str], int], reviewed: Mapping[tuple[str, str], str]) -> PromptBook:
        """This book with the studio's approved recordings and reviewed texts on top (catalogues not re-read)."""
        return PromptBook(self.sources, self.used, self.languages, self.locales_dir, self.audio_dir,
                          translations=self.translations, studio=studio, reviewed=reviewed,
                          stand_in_dir=self.stand_in_dir)

    def draft_text(self, prompt: str, language: str) -> str | None:
        """The catalogue's (machine-drafted) text, ignoring reviews."""
        source = self.sources.get(prompt)
        translations = self.translations.get(language)
        if source is None or translations is None:
            return None
        text = str(translations.pgettext(prompt, source))
        if language != SOURCE_LANGUAGE and text == source:
            return None
        return text.strip() or None

    def text(self, prompt: str, language: str) -> str | None:
        """The prompt's text in ``language``, or None when it has no translation there."""
        reviewed = self.reviewed.get((language, prompt))
        if reviewed and prompt in self.sources:
            return reviewed
        return self.draft_text(prompt, language)

    def resolve(self, prompt: str, language: str) -> Resolved:
        """How to play ``prompt`` in ``language`` (source ``missing`` when it cannot be)."""
        return self._resolved.get((language, prompt)) or Resolved(prompt, language, MISSING)

    def missing(self, language: str) -> tuple[str, ...]:
        """The flow's prompts that do not resolve in ``language``."""
        return tuple(p for p in self.used if self.resolve(p, language).source == MISSING)

    def offered(self, language: str) -> bool:
        """Whether every prompt of the flow resolves in ``language``."""
        return language in self.languages and not self.missing(language)

    def coverage(self) -> dict[str, dict[str, str]]:
        """language -> prompt -> recorded / tts / synthetic / missing, for the flow's prompts."""
        return {code: {p: self.resolve(p, code).source for p in self.used} for code in self.languages.codes}

    def _resolve(self, lang: Language, prompt: str, audio: Mapping[str, Mapping[str, str]]) -> Resolved:
        studio = self.studio.get((lang.code, prompt))
        if studio is not None:
            return Resolved(prompt, lang.code, RECORDED, audio=f"{lang.code}/{STUDIO_FOLDER}/{studio}.wav")
        if prompt in audio[RECORDED]:
            return Resolved(prompt, lang.code, RECORDED, audio=audio[RECORDED][prompt])
        text = self.text(prompt, lang.code)
        if text and lang.twilio_say:
            return Resolved(prompt, lang.code, TTS, text=text, say_language=lang.twilio_say)
        if prompt in audio[SYNTHETIC]:
            return Resolved(prompt, lang.code, SYNTHETIC, text=text, audio=audio[SYNTHETIC][prompt])
        return Resolved(prompt, lang.code, MISSING, text=text)
