"""Coded-text CSV files (columns text, language, type, category) for training and evaluation."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from hotline.classify.model import Example

COLUMNS = ("text", "language", "type", "category")


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
