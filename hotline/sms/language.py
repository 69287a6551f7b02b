"""Which language a message is written in: script, a statistical model shipped in its package (py3langid),
lexicons for romanised Urdu, Dari, Bengali and Rohingya, words that tell close languages apart (Malay or
Indonesian; Dari, Hazaragi, Pashto or Urdu), and what we know besides the words: the caller's language and the
countries of the numbers (pure)."""

from __future__ import annotations

import copy
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
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
    "Latn": ("en", "ms", "id", "ur", "prs", "bn", "rhg"),
}
_UNICODE_NAME_TO_SCRIPT = {"ARABIC": "Arab", "BENGALI": "Beng", "SINHALA": "Sinh", "TAMIL": "Taml",
                           "THAANA": "Thaa", "THAI": "Thai", "LATIN": "Latn"}
# py3langid's labels for our languages (it has no Dhivehi, Hazaragi or Rohingya; Dari is Persian to it).
_MODEL_LABELS = {"en": "en", "ms": "ms", "id": "id", "ur": "ur", "fa": "prs", "ps": "ps", "bn": "bn",
                 "si": "si", "ta": "ta", "th": "th"}
# A language the model does not know, scored as the one it cannot tell it from, less a penalty: Hazaragi needs
# its own words, the caller's history or the country to win over Dari.
_BORROWED_MODEL = {"haz": ("prs", 1.0)}
_SINGLE_LANGUAGE_CONFIDENCE = 0.95
_LEXICON_SHARE = 0.25
# Weights in log-odds: a cue word, the caller's known language, a country prior (times its 0..1 weight).
_CUE_WEIGHT = 1.5
_MAX_CUES = 3
_KNOWN_WEIGHT = 1.5
_PRIOR_WEIGHT = 1.0
_LEXICON_LEANING = 0.1  # how much a prior lowers the share of lexicon words a romanised language needs
_MODEL_FLOOR = 1e-4
_WORD = re.compile(r"\w+")
# Arabic-keyboard letters as Persian-keyboard ones, and what a cue comparison ignores (vowel marks, ZWNJ).
_ARABIC_FORMS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
_IGNORED = re.compile("[\u064b-\u065f\u0670\u200c\u200d]")


@dataclass(frozen=True)
class LanguageDecision:
    """The language chosen for a message, how sure we are (0..1), and how it was decided."""

    language: str | None
    confidence: float
    script: str | None
    method: str


def cue_form(text: str) -> str:
    """Compare form for words: NFKC, case-folded, one form per Arabic letter, vowel marks and ZWNJ dropped."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_FORMS))


def words_of(text: str) -> list[str]:
    """The words of ``text`` in compare form (digits and underscores count as letters' neighbours, not words)."""
    return [word for word in _WORD.findall(cue_form(text)) if not word.isdigit()]


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
def _full_identifier() -> LanguageIdentifier:
    # Reading the model file takes about a second: once per process, however many scripts are identified.
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


@functools.cache
def _identifier(labels: tuple[str, ...]) -> LanguageIdentifier:
    # One identifier per candidate set, never re-restricted afterwards: safe to share between threads. A shallow
    # copy shares the full model's arrays, which set_languages only reads (it assigns restricted ones to the copy).
    identifier = copy.copy(_full_identifier())
    identifier.set_languages(list(labels))
    return identifier


def _labels(candidates: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(label for label, code in _MODEL_LABELS.items() if code in candidates)


def preload() -> None:
    """Read the language model now (a job's warm-up), not inside the first text's transaction."""
    for candidates in SCRIPT_LANGUAGES.values():
        labels = _labels(candidates)
        if len(candidates) > 1 and labels:
            _identifier(labels)


def model_scores(text: str, candidates: tuple[str, ...]) -> dict[str, float]:
    """The model's probabilities for our candidate languages, renormalised among them."""
    labels = _labels(candidates)
    if not labels:
        return {}
    ranked = _identifier(labels).rank(text)
    total = sum(score for _, score in ranked) or 1.0
    return {_MODEL_LABELS[label]: float(score) / total for label, score in ranked}


def romanised_language(text: str, lexicon: Mapping[str, frozenset[str]],
                       leaning: Mapping[str, float] | None = None) -> tuple[str, float] | None:
    """A romanised language (Urdu, Dari, Bengali, Rohingya) when enough of the words are common words of it.

    ``leaning`` (language -> weight, from the caller and the numbers) lowers the share a language needs a little
    and breaks near ties between lexicons.
    """
    words = words_of(text)
    if not words:
        return None
    best: tuple[str, float, float] | None = None
    for language, vocabulary in lexicon.items():
        share = sum(word in vocabulary for word in words) / len(words)
        rank = share + _LEXICON_LEANING * min(1.0, (leaning or {}).get(language, 0.0))
        if rank < _LEXICON_SHARE:
            continue
        if best is None or rank > best[2]:
            best = (language, share, rank)
    return (best[0], best[1]) if best else None


def cue_counts(text: str, cues: Mapping[str, frozenset[str]], candidates: tuple[str, ...]) -> dict[str, int]:
    """How many words of ``text`` mark each candidate language."""
    words = words_of(text)
    return {language: sum(word in cues[language] for word in words)
            for language in candidates if language in cues}


def _model_logits(text: str, candidates: tuple[str, ...]) -> dict[str, float]:
    scores = model_scores(text, candidates)
    logits = {}
    for language in candidates:
        borrowed = _BORROWED_MODEL.get(language)
        if borrowed is not None and language not in scores:
            source, penalty = borrowed
            logits[language] = math.log(max(scores.get(source, 0.0), _MODEL_FLOOR)) - penalty
        else:
            logits[language] = math.log(max(scores.get(language, 0.0), _MODEL_FLOOR))
    return logits


def weigh(text: str, candidates: tuple[str, ...], known: str | None, priors: Mapping[str, float],
          cues: Mapping[str, frozenset[str]]) -> dict[str, float]:
    """Each candidate's probability: the model's log-odds plus cue words, the caller's language and country priors."""
    logits = _model_logits(text, candidates)
    for language, hits in cue_counts(text, cues, candidates).items():
        logits[language] += _CUE_WEIGHT * min(hits, _MAX_CUES)
    for language, weight in priors.items():
        if language in logits:
            logits[language] += _PRIOR_WEIGHT * weight
    if known in logits:
        logits[known] += _KNOWN_WEIGHT
    top = max(logits.values())
    exp = {language: math.exp(logit - top) for language, logit in logits.items()}
    total = sum(exp.values())
    return {language: value / total for language, value in exp.items()}


def detect_language(text: str | None, known: str | None, lexicon: Mapping[str, frozenset[str]], *,
                    priors: Mapping[str, float] | None = None,
                    cues: Mapping[str, frozenset[str]] | None = None) -> LanguageDecision:
    """Decide the language of ``text``: its script, then its words, weighed with the caller's ``known`` language
    and ``priors`` (language -> 0..1 from the countries of the numbers)."""
    priors = priors or {}
    script = dominant_script(text or "")
    if script is None:
        return LanguageDecision(known, 0.5 if known else 0.0, None, "caller" if known else "none")
    candidates = SCRIPT_LANGUAGES[script]
    if len(candidates) == 1:
        return LanguageDecision(candidates[0], _SINGLE_LANGUAGE_CONFIDENCE, script, "script")
    if script == "Latn":
        leaning = {**priors, **({known: 1.0 + priors.get(known, 0.0)} if known else {})}
        romanised = romanised_language(text or "", lexicon, leaning)
        if romanised is not None:
            language, share = romanised
            return LanguageDecision(language, round(min(0.9, 0.5 + share / 2), 3), script, "lexicon")
    probabilities = weigh(text or "", candidates, known if known in candidates else None, priors, cues or {})
    # Ties go to the language listed first for the script.
    language = max(candidates, key=lambda code: (probabilities[code], -candidates.index(code)))
    method = "model+caller" if known in candidates else "model"
    return LanguageDecision(language, round(probabilities[language], 3), script, method)
