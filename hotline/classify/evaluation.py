"""Score a classifier against a coded CSV: precision, recall, F1 per class and per language, confusion matrices.

The classifier is used as it is; evaluation never trains on what it scores.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from hotline.classify.classifier import Classifier
from hotline.classify.model import Example


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
        "classifier_version": classifier.version,
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
