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
# The n-grams a statement is cut into; building the analyser needs no fitted vocabulary.
_ANALYSER = TfidfVectorizer(analyzer="char_wb", ngram_range=MATCH_NGRAMS).build_analyzer()


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
        else:
            self.vocabulary, self.idf, self.analyse = {}, np.zeros(0, dtype=np.float32), _ANALYSER
            self.unseen_idf = 1.0

    def weights(self, text: str) -> dict[str, float]:
        """``text``'s n-grams weighted by this index's IDF (unseen ones as the rarest), normalised over all."""
        weighted: dict[str, float] = {}
        for gram, count in Counter(self.analyse(normalise(text))).items():
            column = self.vocabulary.get(gram)
            weighted[gram] = (1.0 + math.log(count)) * (float(self.idf[column]) if column is not None
                                                         else self.unseen_idf)
        norm = math.sqrt(sum(weight * weight for weight in weighted.values()))
        return {gram: weight / norm for gram, weight in weighted.items()} if norm else {}

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and weights of ``text``, normalised over ALL its n-grams.

        The vectoriser would drop n-grams it never saw and normalise over the rest, so a text sharing three
        common n-grams with a statement would look almost identical to it; unseen n-grams must count too.
        """
        columns: list[int] = []
        weights: list[float] = []
        for gram, weight in self.weights(text).items():
            column = self.vocabulary.get(gram)
            if column is not None:
                columns.append(column)
                weights.append(weight)
        return np.asarray(columns, dtype=np.int64), np.asarray(weights, dtype=np.float32)

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


class GrowingIndex:
    """Rumours added since the last full build, searchable at once: adding one costs only its own statements.

    Refitting TF-IDF for every new candidate (one arrives with nearly every unmatched report) would cost the whole
    side index on every text. Here n-grams are weighed with the full index's IDF, so a score means what it means
    in the full index, and each statement's weights go into an inverted list of n-grams.
    """

    def __init__(self, weighting: RumourIndex, rumours: Iterable[RumourText] = ()):
        self._weighting = weighting
        self.statuses: dict[int, str] = {}
        self._owners: list[int] = []
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self.extend(rumours)

    def extend(self, rumours: Iterable[RumourText]) -> None:
        """Add rumours and their statements."""
        for rumour in rumours:
            self.statuses[rumour.rumour_id] = rumour.status
            for statement in rumour.statements:
                weights = self._weighting.weights(statement)
                if not weights:
                    continue
                document = len(self._owners)
                self._owners.append(rumour.rumour_id)
                for gram, weight in weights.items():
                    self._postings.setdefault(gram, []).append((document, weight))

    def __len__(self) -> int:
        return len(self.statuses)

    def search(self, text: str, limit: int = 5, statuses: Iterable[str] | None = None) -> list[Match]:
        """The best-matching rumours for ``text``, best first, at most one entry per rumour."""
        if not self._owners or not text.strip():
            return []
        scores: dict[int, float] = {}
        for gram, weight in self._weighting.weights(text).items():
            for document, statement_weight in self._postings.get(gram, ()):
                scores[document] = scores.get(document, 0.0) + weight * statement_weight
        wanted = frozenset(statuses) if statuses is not None else None
        best: dict[int, float] = {}
        for document, score in scores.items():
            rumour_id = self._owners[document]
            if score > 0 and (wanted is None or self.statuses[rumour_id] in wanted) and score > best.get(rumour_id, 0):
                best[rumour_id] = score
        ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
        return [Match(rumour_id, round(min(score, 1.0), 4), self.statuses[rumour_id]) for rumour_id, score in ranked]
