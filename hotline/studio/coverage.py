"""The coverage matrix: for each language, how each prompt is heard (audio) and read (text), and how much of each
text domain a native speaker has reviewed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.ivr.content import IvrContent
from hotline.studio.catalogues import DRAFT, MISSING, REVIEWED, entries, read_catalogue, text_status
from hotline.studio.models import PromptRecording, RecordingStatus
from hotline.studio.service import reviewed_texts

TEXT_DOMAINS = ("sms", "messages")  # besides ``ivr``, whose texts are per prompt in the matrix


@dataclass(frozen=True)
class Cell:
    """One language x prompt: audio source (recorded, tts, synthetic, missing), text status, drafts waiting."""

    audio: str
    text: str
    drafts: int


@dataclass
class Coverage:
    """The matrix for the languages a user may work on."""

    languages: list[str]
    prompts: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    domains: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)  # (domain, language) -> counts
    offered: dict[str, bool] = field(default_factory=dict)


def coverage(session: Session, content: IvrContent, languages: Sequence[str], locales: Path) -> Coverage:
    """Audio and text coverage of the flow's prompts and of the other text domains."""
    book = content.prompts
    drafts = Counter({(lang, prompt): n for lang, prompt, n in session.execute(
        select(PromptRecording.language, PromptRecording.prompt, func.count())
        .where(PromptRecording.status == RecordingStatus.DRAFT)
        .group_by(PromptRecording.language, PromptRecording.prompt))})
    # The flow's prompts, then those played outside it (the spoken-reply call's): translators record them all.
    prompts = list(dict.fromkeys((*book.used, *book.sources)))
    result = Coverage(list(languages), prompts)
    for lang in languages:
        result.offered[lang] = book.offered(lang)
        for prompt in prompts:
            text = _prompt_text_status(book.reviewed, book.draft_text(prompt, lang), lang, prompt)
            result.cells[(lang, prompt)] = Cell(book.resolve(prompt, lang).source, text, drafts[(lang, prompt)])
    for domain in TEXT_DOMAINS:
        for lang in languages:
            reviewed = {(ctx, msgid): text for (_, _, ctx, msgid), text
                        in reviewed_texts(session, domain, lang).items()}
            catalog = read_catalogue(locales, lang, domain)
            result.domains[(domain, lang)] = Counter(text_status(e, reviewed) for e in entries(catalog))
    return result


def _prompt_text_status(reviewed: Mapping[tuple[str, str], str], draft: str | None, lang: str, prompt: str) -> str:
    if (lang, prompt) in reviewed:
        return REVIEWED
    return DRAFT if draft else MISSING
