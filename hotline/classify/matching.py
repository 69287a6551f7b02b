"""Rumour matching core: character n-gram TF-IDF cosine between a text and every rumour statement (pure).

Each rumour contributes its canonical statement and every translation, so a report in Dari finds a rumour whose
staff-written statement is English but has a Dari translation. Only the n-grams present in the query are read
(column slices of a CSC matrix), which keeps one lookup against 100,000 rumours within a few milliseconds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from hotline.classify.normalise import normalise

MATCH_NGRAMS = (3, 5)


@dataclass(frozen=True)
class RumourText:
    """The statements one rumour is known by (canonical and translations) and its review status."""

    rumour_id: int
    status: str
    statements: Sequence[str]


@dataclass(frozen=True)
class Match:
    """A rumour and how similar (cosine, 0..1) the text is to its closest statement."""

    rumour_id: int
    score: float
    status: str


class RumourIndex:
    """A searchable snapshot of rumour statements."""

    def __init__(self, rumours: Iterable[RumourText]):
        owners: list[int] = []
        statuses: dict[int, str] = {}
        documents: list[str] = []
        for rumour in rumours:
            statuses[rumour.rumour_id] = rumour.status
            for statement in rumour.statements:
                text = normalise(statement)
                if text:
                    documents.append(text)
                    owners.append(rumour.rumour_id)
        self.statuses = statuses
        self.owners = np.asarray(owners, dtype=np.int64)
        self.vectorizer: TfidfVectorizer | None = None
        if documents:
            self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=MATCH_NGRAMS, sublinear_tf=True,
                                              dtype=np.float32)
            self.matrix = self.vectorizer.fit_transform(documents).tocsc()
            self.vocabulary: dict[str, int] = self.vectorizer.vocabulary_
            self.idf = self.vectorizer.idf_.astype(np.float32)
            self.analyse = self.vectorizer.build_analyzer()
            self.unseen_idf = float(math.log((1 + len(documents)) / 1) + 1)  # as rare as an n-gram can be

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and weights of ``text``, normalised over ALL its n-grams.

        The vectoriser would drop n-grams it never saw and normalise over the rest, so a text sharing three
        common n-grams with a statement would look almost identical to it; unseen n-grams must count too.
        """
        counts = Counter(self.analyse(normalise(text)))
        columns: list[int] = []
        weights: list[float] = []
        norm = 0.0
        for gram, count in counts.items():
            column = self.vocabulary.get(gram)
            weight = (1.0 + math.log(count)) * (self.idf[column] if column is not None else self.unseen_idf)
            norm += weight * weight
            if column is not None:
                columns.append(column)
                weights.append(weight)
        scale = 1.0 / math.sqrt(norm) if norm else 0.0
        return np.asarray(columns, dtype=np.int64), np.asarray(weights, dtype=np.float32) * scale

    def __len__(self) -> int:
        return len(self.statuses)

    def search(self, text: str, limit: int = 5, statuses: Iterable[str] | None = None) -> list[Match]:
        """The best-matching rumours for ``text``, best first, at most one entry per rumour."""
        if self.vectorizer is None or not text.strip():
            return []
        columns, weights = self._query(text)
        if not len(columns):
            return []
        scores = np.asarray(self.matrix[:, columns] @ weights).ravel()
        wanted = frozenset(statuses) if statuses is not None else None
        top = min(len(scores), max(limit * 4, 20))
        best = np.argpartition(-scores, top - 1)[:top]
        matches: dict[int, Match] = {}
        for doc in best[np.argsort(-scores[best])]:
            rumour_id = int(self.owners[doc])
            status = self.statuses[rumour_id]
            if rumour_id in matches or (wanted is not None and status not in wanted) or scores[doc] <= 0:
                continue
            matches[rumour_id] = Match(rumour_id, round(float(scores[doc]), 4), status)
            if len(matches) == limit:
                break
        return list(matches.values())
