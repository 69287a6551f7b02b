"""Keyword cues: which lexicon words occur in a text, for categories, report types and urgency (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from hotline.classify.lexicon import Lexicon

FALLBACK_LEXICON = "en"  # callers mix English words into every language ("agent", "visa", "border")


def lexicons_for(language: str | None, lexicons: Mapping[str, Lexicon]) -> list[Lexicon]:
    """The lexicons to read a text in ``language`` with: its own (every script) plus English; all if unknown."""
    own = [lx for lx in lexicons.values() if lx.language == language]
    if not own:
        return list(lexicons.values())
    extra = lexicons.get(FALLBACK_LEXICON)
    return own + ([extra] if extra is not None and extra not in own else [])


def _found(padded: str, keyword: str, spaceless: bool) -> bool:
    # Outside spaceless scripts a keyword must start a word: "deport" matches "deported", not "airport".
    return keyword in padded if spaceless else f" {keyword}" in padded


def count_hits(text: str, lexicons: Iterable[Lexicon], section: str) -> Counter[str]:
    """Weighted keyword hits per group of ``section`` ("categories", "types", "urgency") in ``text``.

    ``text`` must already be normalised (hotline.classify.normalise). A keyword found in several lexicons counts
    once, and a phrase weighs one per word: "the border is open" says more than "agent".
    """
    padded = f" {text} "
    found: set[tuple[str, str]] = set()
    for lexicon in lexicons:
        groups: Mapping[str, tuple[str, ...]] = getattr(lexicon, section)
        for group, words in groups.items():
            found.update((group, word) for word in words if _found(padded, word, lexicon.spaceless))
    hits: Counter[str] = Counter()
    for group, word in sorted(found):  # sorted: ties break the same way in every process
        hits[group] += 1 + word.count(" ")
    return hits


def urgency_flags(text: str, lexicons: Iterable[Lexicon]) -> frozenset[str]:
    """The urgency cues (imminent_departure, threats...) present in normalised ``text``."""
    return frozenset(count_hits(text, lexicons, "urgency"))
