"""Which language a message is written in: script, a statistical model shipped in its package (py3langid),
a small lexicon for romanised Urdu and Dari, and what we already know about the caller (pure)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

# The languages each script can mean, in the order we prefer when nothing else tells them apart.
SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "Arab": ("prs", "ps", "ur", "haz"),
    "Beng": ("bn",),
    "Sinh": ("si",),
    "Taml": ("ta",),
    "Thaa": ("dv",),
    "Thai": ("th",),
    "Latn": ("en", "ms", "id", "ur", "prs", "rhg"),
}
_UNICODE_NAME_TO_SCRIPT = {"ARABIC": "Arab", "BENGALI": "Beng", "SINHALA": "Sinh", "TAMIL": "Taml",
                           "THAANA": "Thaa", "THAI": "Thai", "LATIN": "Latn"}
# py3langid's labels for our languages (it has no Dhivehi, Hazaragi or Rohingya; Dari is Persian to it).
_MODEL_LABELS = {"en": "en", "ms": "ms", "id": "id", "ur": "ur", "fa": "prs", "ps": "ps", "bn": "bn",
                 "si": "si", "ta": "ta", "th": "th"}
_SINGLE_LANGUAGE_CONFIDENCE = 0.95
_KNOWN_LANGUAGE_BONUS = 0.25
_LEXICON_SHARE = 0.25
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class LanguageDecision:
    """The language chosen for a message, how sure we are (0..1), and how it was decided."""

    language: str | None
    confidence: float
    script: str | None
    method: str


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in (ISO 15924 code), or None for no letters."""
    counts: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        script = _UNICODE_NAME_TO_SCRIPT.get(name.split(" ", 1)[0])
        if script:
            counts[script] += 1
    if not counts:
        return None
    # Callers mix Latin into other scripts (brand names, numbers): any non-Latin script present wins.
    non_latin = [(n, s) for s, n in counts.items() if s != "Latn"]
    return max(non_latin)[1] if non_latin else "Latn"


@functools.cache
def _identifier(labels: tuple[str, ...]) -> LanguageIdentifier:
    # One identifier per candidate set, never re-restricted afterwards: safe to share between threads.
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(labels))
    return identifier


def model_scores(text: str, candidates: tuple[str, ...]) -> dict[str, float]:
    """The model's probabilities for our candidate languages, renormalised among them."""
    labels = tuple(label for label, code in _MODEL_LABELS.items() if code in candidates)
    if not labels:
        return {}
    ranked = _identifier(labels).rank(text)
    total = sum(score for _, score in ranked) or 1.0
    return {_MODEL_LABELS[label]: float(score) / total for label, score in ranked}


def romanised_language(text: str, lexicon: dict[str, frozenset[str]]) -> tuple[str, float] | None:
    """Romanised Urdu or Dari when enough of the words are common words of one of them."""
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    best: tuple[str, float] | None = None
    for language, vocabulary in lexicon.items():
        share = sum(word in vocabulary for word in words) / len(words)
        if share >= _LEXICON_SHARE and (best is None or share > best[1]):
            best = (language, share)
    return best


def detect_language(text: str | None, known: str | None, lexicon: dict[str, frozenset[str]]) -> LanguageDecision:
    """Decide the language of ``text``, preferring the caller's ``known`` language when it fits the script."""
    script = dominant_script(text or "")
    if script is None:
        return LanguageDecision(known, 0.5 if known else 0.0, None, "caller" if known else "none")
    candidates = SCRIPT_LANGUAGES[script]
    if len(candidates) == 1:
        return LanguageDecision(candidates[0], _SINGLE_LANGUAGE_CONFIDENCE, script, "script")
    if script == "Latn":
        romanised = romanised_language(text or "", lexicon)
        if romanised is not None:
            language, share = romanised
            return LanguageDecision(language, round(min(0.9, 0.5 + share / 2), 3), script, "lexicon")
    scores = model_scores(text or "", candidates)
    if known in candidates:
        # A caller's known language is strong evidence (Hazaragi, which the model cannot tell from Dari).
        model_known = "prs" if known == "haz" else known
        scores[known] = scores.get(model_known, 0.0) + _KNOWN_LANGUAGE_BONUS
        if known == "haz":
            scores.pop("prs", None)
    if not scores:
        return LanguageDecision(known, 0.3 if known else 0.0, script, "caller" if known else "none")
    language, score = max(scores.items(), key=lambda item: item[1])
    confidence = min(1.0, score / (sum(scores.values()) or 1.0))
    return LanguageDecision(language, round(confidence, 3), script, "model+caller" if known else "model")
