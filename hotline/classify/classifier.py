"""Classify a text: report type and category with confidences, urgency cues, and the version that decided.

Pure: takes a trained model (or none), the lexicons and the thresholds; no Flask, no database.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotline.classify.config import ClassifyConfig
from hotline.classify.cues import count_hits, lexicons_for, urgency_flags
from hotline.classify.lexicon import Lexicon
from hotline.classify.model import LabelModel, TrainedModel, features
from hotline.classify.normalise import normalise
from hotline.intake.constants import URGENCY_RANK, Sensitivity, Urgency

INCOMPLETE = "incomplete"
OTHER = "other"
QUESTION = "question"
_MIN_USEFUL_CHARS = 3  # "?" or "hi" says nothing we can code


@dataclass(frozen=True)
class Decision:
    """One label with its confidence and what decided it ("model", "lexicon" or "default")."""

    label: str
    confidence: float
    source: str


@dataclass(frozen=True)
class Classification:
    """Everything the classifier says about one text."""

    type: Decision
    category: Decision
    flags: frozenset[str]
    urgency: str
    protection: bool
    version: str


def lexicon_decision(hits: Counter[str]) -> Decision | None:
    """The lexicon's answer: the group with most keyword hits, more confident with more and clearer hits."""
    if not hits:
        return None
    (label, top), *rest = [*hits.most_common(2), ("", 0)]
    margin = (top - rest[0][1]) / top
    return Decision(label, round(min(0.9, 0.35 + 0.1 * top + 0.25 * margin), 3), "lexicon")


def blend(probabilities: Mapping[str, float], hits: Counter[str], weight: float) -> dict[str, float]:
    """The model's probabilities with each lexicon group's share of the keyword hits added at ``weight``, renormalised.

    The character n-gram model learns from a few hundred texts and spreads its probability thin over twelve
    categories; the lexicons carry each language's words for every class. Adding their share (rather than
    consulting them only when the model is unsure) lets a clear keyword tip a close call, and lets the lexicon
    name a class the model never learned. Without a model (or without hits) the probabilities pass unchanged.
    """
    total = sum(hits.values())
    if not probabilities or total == 0 or weight <= 0:
        return dict(probabilities)
    scores = dict(probabilities)
    for label, count in hits.items():
        scores[label] = scores.get(label, 0.0) + weight * count / total
    return {label: score / (1.0 + weight) for label, score in scores.items()}


def combine(probabilities: Mapping[str, float], model: LabelModel, lexicon: Decision | None,
            fallback_confidence: float) -> Decision | None:
    """Model or lexicon: the lexicon decides when the model is unsure or never learned the lexicon's class."""
    best = max(probabilities.items(), key=lambda item: item[1], default=None)
    if best is None:
        return lexicon
    modelled = Decision(best[0], round(best[1], 3), "model")
    if lexicon is None:
        return modelled
    if lexicon.label not in model.classes and lexicon.confidence >= modelled.confidence:
        return lexicon  # a class with too few coded examples: the lexicon speaks for it
    if modelled.confidence < fallback_confidence:
        return lexicon
    return modelled


class Classifier:
    """A trained model (optional) plus the lexicons and thresholds; ``classify`` is the one entry point."""

    def __init__(self, model: TrainedModel | None, lexicons: Mapping[str, Lexicon], config: ClassifyConfig):
        self.model = model
        self.lexicons = lexicons
        self.config = config
        lexicon_digest = hashlib.sha256(repr(sorted((k, v) for k, v in lexicons.items())).encode()).hexdigest()
        self.version = f"{model.version if model else 'lexicon'}.lx-{lexicon_digest[:6]}"

    def classify(self, text: str | None, language: str | None) -> Classification:
        """Classify one text written in ``language`` (a code, or None when unknown)."""
        return self.classify_many([(text, language)])[0]

    def classify_many(self, items: Sequence[tuple[str | None, str | None]]) -> list[Classification]:
        """Classify many texts at once (the model runs once over the batch)."""
        texts = [features(text or "") for text, _ in items]
        type_probs = self._probabilities(texts, "type")
        category_probs = self._probabilities(texts, "category")
        return [self._one(text, language, type_probs[i], category_probs[i])
                for i, (text, language) in enumerate(items)]

    def _probabilities(self, texts: list[str], which: str) -> list[dict[str, float]]:
        if self.model is None:
            return [{} for _ in texts]
        label_model = self.model.type_model if which == "type" else self.model.category_model
        return label_model.probabilities(texts)

    def _one(self, text: str | None, language: str | None, type_probs: Mapping[str, float],
             category_probs: Mapping[str, float]) -> Classification:
        plain = normalise(text or "")
        lexicons = lexicons_for(language, self.lexicons)
        flags = urgency_flags(plain, lexicons)
        urgency, protection = self._urgency(flags)
        if len(plain.replace(" ", "")) < _MIN_USEFUL_CHARS:
            return Classification(Decision(INCOMPLETE, 0.9, "default"), Decision(OTHER, 0.5, "default"),
                                  flags, urgency, protection, self.version)
        type_hits = count_hits(plain, lexicons, "types")
        if "?" in features(text or ""):
            type_hits[QUESTION] += 1
        category_hits = count_hits(plain, lexicons, "categories")
        model, weight = self.model, self.config.lexicon_weight
        type_decision = combine(blend(type_probs, type_hits, weight),
                                model.type_model if model else LabelModel(None, ()),
                                lexicon_decision(type_hits), self.config.fallback_confidence)
        category_decision = combine(blend(category_probs, category_hits, weight),
                                    model.category_model if model else LabelModel(None, ()),
                                    lexicon_decision(category_hits), self.config.fallback_confidence)
        return Classification(
            type_decision or Decision(INCOMPLETE, 0.2, "default"),
            category_decision or Decision(OTHER, 0.2, "default"),
            flags, urgency, protection, self.version,
        )

    def _urgency(self, flags: frozenset[str]) -> tuple[str, bool]:
        urgency, protection = Urgency.NORMAL.value, False
        for flag in flags:
            rule = self.config.urgency.get(flag)
            if rule is None:
                continue
            protection = protection or rule.protection
            if URGENCY_RANK[Urgency(rule.urgency)] < URGENCY_RANK[Urgency(urgency)]:
                urgency = rule.urgency
        return urgency, protection


def sensitivity_for(protection: bool, category_sensitive: bool) -> str:
    """The report's sensitivity: protection cues outrank a sensitive category."""
    if protection:
        return Sensitivity.PROTECTION.value
    return Sensitivity.SENSITIVE.value if category_sensitive else Sensitivity.NORMAL.value
