"""The trainable part: script-aware character n-gram TF-IDF + a logistic-loss linear model (SGD), one for type,
one for category.

Learns from operator-coded examples; a class with too few examples is left out (the lexicons decide for it).
Persisted only inside the instance folder, behind a version header.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import joblib
import numpy as np
import sklearn
from scipy.special import expit
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline

from hotline.classify.normalise import normalise
from hotline.files import private_dir, write_private

MODEL_HEADER = b"HOTLINE-CLASSIFIER 1 sklearn="
MODEL_FILE = Path("classifier") / "model.joblib"


class ModelError(Exception):
    """A model file is missing, foreign, outside the instance folder or from another scikit-learn."""


@dataclass(frozen=True)
class Example:
    """One coded text: what operators decided it is."""

    text: str
    language: str | None
    type: str
    category: str


@dataclass
class LabelModel:
    """A fitted pipeline for one label (type or category) and the classes it was allowed to learn."""

    pipeline: Pipeline | None
    classes: tuple[str, ...]

    def probabilities(self, features: Sequence[str]) -> list[dict[str, float]]:
        """Per text, the probability of each learned class (empty when nothing could be learned)."""
        if self.pipeline is None:
            return [{} for _ in features]
        rows = fast_predict_proba(self.pipeline, list(features))
        labels = [str(c) for c in self.pipeline.classes_]
        return [dict(zip(labels, map(float, row), strict=True)) for row in rows]


def fast_predict_proba(pipeline: Pipeline, texts: list[str]) -> np.ndarray:
    """``pipeline.predict_proba(texts)`` without scikit-learn's per-call input validation.

    The validation costs more than the arithmetic for one SMS (about 3 ms of 4); this does the same sums
    (TF-IDF with sublinear tf and L2 rows, then one-vs-rest logistic probabilities), and a unit test checks it
    agrees with ``predict_proba``.
    """
    tfidf, clf = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
    x = CountVectorizer.transform(tfidf, texts).astype(np.float64)
    if tfidf.sublinear_tf:
        np.log(x.data, out=x.data)
        x.data += 1.0
    x.data *= tfidf.idf_[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    decision = np.asarray(x @ clf.coef_.T) + clf.intercept_
    prob = expit(decision)
    if prob.shape[1] == 1:
        return np.hstack([1 - prob, prob])
    result: np.ndarray = prob / prob.sum(axis=1, keepdims=True)
    return result


@dataclass
class TrainedModel:
    """Both label models, with the version string every prediction records."""

    version: str
    type_model: LabelModel
    category_model: LabelModel
    example_count: int


def features(text: str) -> str:
    """What the vectoriser sees: normalised text, question marks kept as a type cue."""
    return normalise(text, keep_question_mark=True)


# Signs that join the next consonant into one written cluster (Sinhala al-lakuna, Tamil pulli, Devanagari and
# Bengali virama): "ක්‍ර" is one syllable to a reader, so it is one unit to the n-grams.
_VIRAMAS = frozenset("\u0dca\u0bcd\u094d\u09cd")


def clusters(word: str) -> list[str]:
    """``word`` cut into written clusters: a letter with its combining vowel signs and marks, conjuncts joined.

    In Latin or Arabic script nearly every cluster is one character; in Sinhala, Tamil, Thai, Thaana or Bengali a
    syllable is two to four code points, so plain character 4-grams would see little more than one syllable.
    """
    if word.isascii():  # romanised text, most of it: one character per cluster
        return list(word)
    out: list[str] = []
    for ch in word:
        if out and (unicodedata.category(ch) in ("Mn", "Mc") or out[-1][-1] in _VIRAMAS):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def script_ngrams(text: str, ngram_range: tuple[int, int] = (1, 4)) -> list[str]:
    """The vectoriser's analyser: n-grams of written clusters inside each space-padded word (like ``char_wb``).

    ``text`` is already ``features()`` output. Thai, written without spaces, is one long "word" per phrase, so
    its n-grams run across word boundaries, which is what lets them stand in for a word segmenter.
    """
    low, high = ngram_range
    grams: list[str] = []
    for word in text.split():
        units = [" ", *clusters(word), " "]
        for n in range(low, high + 1):
            grams.extend("".join(units[i:i + n]) for i in range(len(units) - n + 1))
    return grams


def _fit(texts: list[str], labels: list[str], min_examples: int, ngram_range: tuple[int, int],
         alpha: float) -> LabelModel:
    counts = Counter(labels)
    keep = {label for label, n in counts.items() if n >= min_examples}
    rows = [(t, y) for t, y in zip(texts, labels, strict=True) if y in keep]
    if len(keep) < 2:  # nothing to tell apart: the lexicons decide
        return LabelModel(None, tuple(sorted(keep)))
    pipeline = Pipeline([
        # A partial of a module-level function, so that joblib saves a reference to it, not code.
        ("tfidf", TfidfVectorizer(analyzer=partial(script_ngrams, ngram_range=ngram_range), sublinear_tf=True,
                                  min_df=1)),
        # Logistic loss gives probabilities; SGD trains in a fraction of a second on thousands of reports.
        ("clf", SGDClassifier(loss="log_loss", alpha=alpha, class_weight="balanced", max_iter=30, tol=None,
                              random_state=0)),
    ])
    pipeline.fit([t for t, _ in rows], [y for _, y in rows])
    return LabelModel(pipeline, tuple(sorted(keep)))


def train(examples: Sequence[Example], min_examples: int, ngram_range: tuple[int, int] = (1, 4),
          alpha: float = 1e-4, now: datetime | None = None, label: str | None = None) -> TrainedModel:
    """Fit the type and category models on ``examples``; the version names the time (or ``label``) and the data."""
    texts = [features(e.text) for e in examples]
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.language}\x1f{e.type}\x1f{e.category}\x1f{e.text}\x1e".encode())
    stamp = label or (now or datetime.now(UTC)).strftime("%y%m%d%H%M")
    return TrainedModel(
        version=f"lr-{stamp}-{digest.hexdigest()[:6]}",
        type_model=_fit(texts, [e.type for e in examples], min_examples, ngram_range, alpha),
        category_model=_fit(texts, [e.category for e in examples], min_examples, ngram_range, alpha),
        example_count=len(examples),
    )


def _inside(instance_path: Path) -> Path:
    path = (instance_path / MODEL_FILE).resolve()
    if not path.is_relative_to(instance_path.resolve()):  # a symlink pointing elsewhere
        raise ModelError(f"{path} is outside the instance folder")
    return path


def save_model(model: TrainedModel, instance_path: Path) -> Path:
    """Write ``model`` to the instance folder behind a version header; returns the path."""
    path = _inside(instance_path)
    private_dir(path.parent)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    tmp = path.with_suffix(".tmp")
    write_private(tmp, MODEL_HEADER + sklearn.__version__.encode() + b"\n" + buffer.getvalue())
    tmp.replace(path)  # atomic: a worker never reads half a model
    return path


def load_model(instance_path: Path) -> TrainedModel:
    """Read the model saved in the instance folder (never from anywhere else), or raise ModelError."""
    path = _inside(instance_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"no model at {path}") from None
    header, _, body = raw.partition(b"\n")
    if not header.startswith(MODEL_HEADER):
        raise ModelError(f"{path} is not a Hotline classifier file")
    if header[len(MODEL_HEADER):].decode() != sklearn.__version__:
        raise ModelError(f"{path} was saved by another scikit-learn version; run `hotline classify train`")
    model = joblib.load(io.BytesIO(body))
    if not isinstance(model, TrainedModel):
        raise ModelError(f"{path} does not hold a classifier")
    return model
