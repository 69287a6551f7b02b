"""Score a classifier against a coded CSV: precision, recall, F1 per class and per language, confusion matrices.

The classifier is used as it is; evaluation never trains on what it scores.
"""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from hotline.classify.classifier import Classification, Classifier
from hotline.classify.config import ClassifyConfig
from hotline.classify.lexicon import Lexicon
from hotline.classify.model import Example, TrainedModel


def _confusion(truth: Sequence[str], predicted: Sequence[str], labels: list[str]) -> list[list[int]]:
    with warnings.catch_warnings():
        # scikit-learn warns when only one label occurs, even though ``labels`` fixes the shape.
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        matrix: list[list[int]] = confusion_matrix(truth, predicted, labels=labels).tolist()
    return matrix


def _scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0)
    return {
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(len(truth), 1), 4),
        "per_class": {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                              "f1": round(float(f), 4), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)},
        "confusion": {"labels": labels,
                      "matrix": _confusion(truth, predicted, labels)},
    }


def evaluate(classifier: Classifier, examples: Sequence[Example]) -> dict[str, Any]:
    """The evaluation report as one JSON-able dict (overall, per category, per language)."""
    results = classifier.classify_many([(e.text, e.language) for e in examples])
    return _report(classifier.version, examples, results)


def cross_validate(examples: Sequence[Example], fit: Callable[[Sequence[Example]], TrainedModel],
                   lexicons: Mapping[str, Lexicon], config: ClassifyConfig, folds: int = 5,
                   seed: int = 0) -> dict[str, Any]:
    """Stratified k-fold cross-validation on training data, reported like ``evaluate``.

    Each fold is classified by a model ``fit`` on the other folds only, and the out-of-fold predictions are
    scored together. Strata are language and category, so every fold holds every language's categories as far as
    the counts allow. A second, independent estimate beside the evaluation set, so that tuning against one set
    cannot quietly overfit it.
    """
    strata = [f"{e.language}:{e.category}" for e in examples]
    counts = Counter(strata)
    # A language-category pair rarer than the fold count is stratified by category alone.
    labels = [s if counts[s] >= folds else s.split(":", 1)[1] for s in strata]
    results: list[Classification | None] = [None] * len(examples)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    version = ""
    with warnings.catch_warnings():  # a category rarer than the fold count: scikit-learn warns, and folds cope
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(list(examples), labels))
    for train_rows, test_rows in splits:
        classifier = Classifier(fit([examples[i] for i in train_rows]), lexicons, config)
        version = classifier.version
        for i, result in zip(test_rows, classifier.classify_many(
                [(examples[i].text, examples[i].language) for i in test_rows]), strict=True):
            results[i] = result
    done = [r for r in results if r is not None]
    return _report(f"{folds}-fold cross-validation ({version.split('.')[-1]})", examples, done)


def _report(version: str, examples: Sequence[Example], results: Sequence[Classification]) -> dict[str, Any]:
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_language[example.language or "und"].append(index)
    true_types = [e.type for e in examples]
    pred_types = [r.type.label for r in results]
    true_cats = [e.category for e in examples]
    pred_cats = [r.category.label for r in results]
    languages = {}
    for language, rows in sorted(by_language.items()):
        types = _scores([true_types[i] for i in rows], [pred_types[i] for i in rows])
        cats = _scores([true_cats[i] for i in rows], [pred_cats[i] for i in rows])
        languages[language] = {
            "count": len(rows),
            "type_macro_f1": types["macro_f1"], "type_accuracy": types["accuracy"],
            "category_macro_f1": cats["macro_f1"], "category_accuracy": cats["accuracy"],
            "category": cats["per_class"],
        }
    return {
        "classifier_version": version,
        "count": len(examples),
        "type": _scores(true_types, pred_types),
        "category": _scores(true_cats, pred_cats),
        "languages": languages,
    }


def _table(title: str, per_class: dict[str, dict[str, float]]) -> list[str]:
    lines = [title, f"  {'label':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>6}"]
    lines += [f"  {label:<22}{s['precision']:>10.2f}{s['recall']:>8.2f}{s['f1']:>8.2f}{s['support']:>6}"
              for label, s in per_class.items()]
    return lines


def _matrix(title: str, confusion: dict[str, Any]) -> list[str]:
    labels = confusion["labels"]
    short = [label[:6] for label in labels]
    lines = [f"{title} (rows: true, columns: predicted)", "  " + " " * 22 + "".join(f"{s:>7}" for s in short)]
    lines += [f"  {label:<22}" + "".join(f"{n:>7}" for n in row)
              for label, row in zip(labels, confusion["matrix"], strict=True)]
    return lines


def format_report(report: dict[str, Any]) -> str:
    """The evaluation report as text for a terminal."""
    lines = [f"classifier {report['classifier_version']}, {report['count']} texts",
             f"type macro F1 {report['type']['macro_f1']:.3f} (accuracy {report['type']['accuracy']:.3f})",
             f"category macro F1 {report['category']['macro_f1']:.3f} "
             f"(accuracy {report['category']['accuracy']:.3f})", ""]
    lines += [*_table("type", report["type"]["per_class"]), ""]
    lines += [*_table("category", report["category"]["per_class"]), ""]
    lines += ["per language", f"  {'language':<10}{'n':>5}{'type F1':>10}{'category F1':>13}{'category acc':>14}"]
    lines += [f"  {code:<10}{s['count']:>5}{s['type_macro_f1']:>10.3f}{s['category_macro_f1']:>13.3f}"
              f"{s['category_accuracy']:>14.3f}" for code, s in report["languages"].items()]
    lines += ["", *_matrix("type confusion", report["type"]["confusion"])]
    lines += ["", *_matrix("category confusion", report["category"]["confusion"])]
    return "\n".join(lines)
