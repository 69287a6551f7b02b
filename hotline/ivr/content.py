"""The IVR's content, loaded once per app: the call flow, the hotline numbers and every prompt resolved."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session

from hotline.content.languages import LanguageTable
from hotline.ivr.flow import Flow, load_flow
from hotline.ivr.hotlines import HotlineConfig, HotlineNumber, load_hotlines
from hotline.ivr.prompts import SOURCE_LANGUAGE, PromptBook
from hotline.ivr.twiml import TwimlCache
from hotline.settings import CONFIG_DIR, LOCALES_DIR, SCRIPTS_DIR

_DEFAULT = None  # the key of numbers not configured, in IvrContent's table of offered languages


STAND_INS_FOLDER = "ivr-stand-ins"  # in the instance folder


@dataclass(frozen=True)
class IvrPaths:
    """Where the IVR's files live (tests point ``audio`` elsewhere).

    ``audio`` holds the recordings that ship with the package; ``stand_ins`` is where `hotline ivr audio` builds the
    synthesised stand-ins, in the instance folder (an installed package is not written to); None: ``audio``.
    """

    scripts: Path = SCRIPTS_DIR
    config: Path = CONFIG_DIR
    locales: Path = LOCALES_DIR
    audio: Path = SCRIPTS_DIR / "audio"
    stand_ins: Path | None = None

    @property
    def stand_in_root(self) -> Path:
        """The folder holding ``<lang>/synthetic/<prompt>.wav`` and the coverage file."""
        return self.stand_ins or self.audio


@dataclass(frozen=True)
class IvrContent:
    """Everything a call needs that is not in the database."""

    flow: Flow
    hotlines: HotlineConfig
    prompts: PromptBook
    paths: IvrPaths
    twiml: TwimlCache = field(default_factory=TwimlCache, init=False, compare=False, repr=False)

    def with_studio(self, studio: Mapping[tuple[str, str], int], reviewed: Mapping[tuple[str, str], str]) -> IvrContent:
        """The same content with the prompt studio's approved recordings and reviewed texts on top."""
        return IvrContent(self.flow, self.hotlines, self.prompts.with_studio(studio, reviewed), self.paths)

    def offered_languages(self, dialled: str | None) -> tuple[str, ...]:
        """The languages of the number dialled whose prompts all resolve, in menu order (never empty)."""
        by_number = self._offered_by_number
        return by_number.get(dialled or "", by_number[_DEFAULT])

    def unvoiced_languages(self, dialled: str | None) -> tuple[str, ...]:
        """The languages configured for the number dialled that have no prompts yet (listed after the voiced ones:
        a caller who chooses one leaves a message in any language)."""
        by_number = self._unvoiced_by_number
        return by_number.get(dialled or "", by_number[_DEFAULT])

    @cached_property
    def _unvoiced_by_number(self) -> dict[str | None, tuple[str, ...]]:
        offered = self._offered_by_number
        unvoiced: dict[str | None, tuple[str, ...]] = {
            _DEFAULT: tuple(c for c in self.hotlines.default.languages if c not in offered[_DEFAULT])}
        unvoiced.update((number, tuple(c for c in config.languages if c not in offered[number]))
                        for number, config in self.hotlines.numbers.items())
        return unvoiced

    @cached_property
    def _offered_by_number(self) -> dict[str | None, tuple[str, ...]]:
        # Computed once: checking every prompt of every language was per-call work, and neither the numbers nor
        # the prompts change after loading (a content change loads a new IvrContent).
        offered: dict[str | None, tuple[str, ...]] = {_DEFAULT: self._offered(self.hotlines.default)}
        offered.update((number, self._offered(config)) for number, config in self.hotlines.numbers.items())
        return offered

    def _offered(self, number: HotlineNumber) -> tuple[str, ...]:
        for candidate in (number, self.hotlines.default):
            offered = tuple(code for code in candidate.languages if self.prompts.offered(code))
            if offered:
                return offered
        return (SOURCE_LANGUAGE,)


def load_ivr_content(languages: LanguageTable, paths: IvrPaths | None = None) -> IvrContent:
    """Load and validate the flow, the numbers and the prompts (ContentError names file, line and key)."""
    paths = paths or IvrPaths()
    hotlines = load_hotlines(paths.config / "hotlines.yaml", languages.codes)
    flow = load_flow(paths.scripts / f"{hotlines.flow}.yaml")
    prompts = PromptBook(flow.prompts, flow.used_prompts(), languages, paths.locales, paths.audio,
                         stand_in_dir=paths.stand_in_root)
    return IvrContent(flow, hotlines, prompts, paths)


ContentSource = Callable[[Session], IvrContent]
AudioSource = Callable[[Session, str, int], "bytes | None"]


@dataclass(frozen=True)
class LiveSources:
    """Where the content in force and approved recordings come from when a package (the prompt studio) overlays
    the shipped content; registered when the app is made, so the IVR never imports that package."""

    content: ContentSource
    audio: AudioSource
    # The first TwiML of the staff-only path (recording prompts by phone) that a hidden key at a menu leads to.
    staff_entry: Callable[[], str] | None = None
