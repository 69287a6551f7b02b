"""Coded-text CSV files (columns text, language, type, category) for training and evaluation."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from hotline.classify.model import Example, script_ngrams
from hotline.classify.normalise import normalise

COLUMNS = ("text", "language", "type", "category")
NEAR_COPY = 0.75  # trigram overlap from which a training text counts as a reworded evaluation text
_NEAR_COPY_MIN_WORDS = 3  # shorter texts ("hello", "ok thanks") recur by nature; they must only differ


class DatasetError(Exception):
    """A CSV file cannot be used; every problem names file, line and field."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}:{p}" for p in problems[:20]))


def _row_schema(type_ids: Iterable[str], category_ids: Iterable[str], language_codes: Iterable[str]) -> Schema:
    """A schema for one row, whose type, category and language must exist in the codebook and language table."""
    return Schema.from_dict({
        "text": fields.String(required=True, validate=validate.Length(min=1, max=5000)),
        "language": fields.String(required=True, validate=validate.OneOf(tuple(language_codes))),
        "type": fields.String(required=True, validate=validate.OneOf(tuple(type_ids))),
        "category": fields.String(required=True, validate=validate.OneOf(tuple(category_ids))),
    }, name="CodedRowSchema")()


def read_examples(path: Path, type_ids: Iterable[str], category_ids: Iterable[str],
                  language_codes: Iterable[str]) -> list[Example]:
    """Every row of ``path`` as an Example, or DatasetError listing each bad row as file:line: field: message."""
    schema = _row_schema(type_ids, category_ids, language_codes)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DatasetError(path, [f"0: cannot open ({exc.strerror})"]) from None
    examples: list[Example] = []
    problems: list[str] = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DatasetError(path, [f"1: header: missing column(s) {', '.join(missing)}"])
            line = reader.line_num + 1
            for row in reader:
                _check_row(schema, row, line, examples, problems)
                line = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise DatasetError(path, [f"0: not valid UTF-8 ({exc.reason} at byte {exc.start})"]) from None
        except csv.Error as exc:
            raise DatasetError(path, [f"{reader.line_num}: CSV syntax error: {exc}"]) from None
    if problems:
        raise DatasetError(path, problems)
    return examples


def _messages(exc: ValidationError) -> dict[str, Any]:
    messages = exc.messages
    return messages if isinstance(messages, dict) else {"row": messages}


def _check_row(schema: Schema, row: dict[str, Any], line: int, examples: list[Example],
               problems: list[str]) -> None:
    values = {key: (row.get(key) or "").strip() for key in COLUMNS}
    try:
        data = schema.load(values)
    except ValidationError as exc:
        for field_name, messages in sorted(_messages(exc).items()):
            problems.append(f"{line}: {field_name}: {'; '.join(map(str, messages))}")
        return
    examples.append(Example(row.get("text") or "", data["language"], data["type"], data["category"]))


class _TrigramIndex:
    """Evaluation texts by character trigram, for Jaccard overlap against one text at a time without a full scan."""

    def __init__(self, texts: list[str], sets: list[frozenset[str]]):
        self.texts, self.sizes = texts, [len(grams) for grams in sets]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for index, grams in enumerate(sets):
            for gram in grams:
                self.postings[gram].append(index)

    def closest(self, grams: frozenset[str]) -> tuple[float, str]:
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self.postings.get(gram, ()))
        return max(((n / (len(grams) + self.sizes[i] - n), self.texts[i]) for i, n in shared.items()),
                   default=(0.0, ""))


def _trigrams(plain: str) -> tuple[frozenset[str], frozenset[str]]:
    # Word-bounded trigrams see reordered words; trigrams of the text without spaces see re-spaced words.
    return (frozenset(script_ngrams(plain, (3, 3))), frozenset(script_ngrams(plain.replace(" ", ""), (3, 3))))


def leaked(training: Iterable[str], evaluation: Iterable[str], threshold: float = NEAR_COPY) -> list[tuple[str, str]]:
    """Pairs (training text, evaluation text) where the training text is an evaluation text, once normalised.

    "Is" means equal after normalisation and with spaces ignored, or, for texts of three words or more, sharing
    ``threshold`` or more of their character trigrams (Jaccard): a reworded, reordered or re-spaced copy. Training
    on those would make the evaluation scores flatter the model.
    """
    scored = [(text, plain) for text in evaluation if (plain := normalise(text))]
    exact = {plain.replace(" ", ""): text for text, plain in scored}
    texts = [text for text, _ in scored]
    trigrams = [_trigrams(plain) for _, plain in scored]
    indexes = [_TrigramIndex(texts, [t[k] for t in trigrams]) for k in (0, 1)]
    found: list[tuple[str, str]] = []
    for text in training:
        plain = normalise(text)
        if not plain:
            continue
        if plain.replace(" ", "") in exact:
            found.append((text, exact[plain.replace(" ", "")]))
        elif len(plain.split()) >= _NEAR_COPY_MIN_WORDS:
            score, closest = max(index.closest(grams) for index, grams in zip(indexes, _trigrams(plain), strict=True))
            if score >= threshold:
                found.append((text, closest))
    return found
