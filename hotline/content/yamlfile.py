"""Load a YAML content file and validate it with a marshmallow schema, naming file, line and key on error."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError


class ContentError(Exception):
    """A content or configuration file is unreadable or invalid; the message names file, line and key."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}:{p}" for p in problems))


def flatten_messages(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (dotted.key[0], message) pairs."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if isinstance(key, int):
                child = f"{prefix}[{key}]"
            elif key == "_schema":
                child = prefix
            else:
                child = f"{prefix}.{key}" if prefix else str(key)
            yield from flatten_messages(value, child)
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from flatten_messages(item, prefix)
    else:
        yield prefix or "(top level)", str(messages)


def _line_of(node: yaml.Node | None, key_path: str) -> int | None:
    """Best-effort line number (1-based) of a dotted/indexed key inside a composed YAML node tree."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in _split_key_path(key_path):
        found = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    found = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = node.value[part]
            line = found.start_mark.line + 1
        if found is None:
            break
        node = found
    return line


def _split_key_path(key_path: str) -> Iterator[str | int]:
    for dotted in key_path.split("."):
        name, _, rest = dotted.partition("[")
        if name:
            yield name
        while rest:
            index, _, rest = rest.partition("]")
            yield int(index)
            rest = rest.lstrip("[")


def load_yaml_file(path: Path, schema: Schema) -> Any:
    """Read ``path``, validate it with ``schema`` and return the loaded data, or raise ContentError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, ["0: file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ContentError(path, [f"0: not valid UTF-8 ({exc.reason} at byte {exc.start})"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ContentError(path, [f"{line}: YAML syntax error: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(raw, dict):
        raise ContentError(path, ["1: expected a mapping at the top level"])
    try:
        return schema.load(raw)
    except ValidationError as exc:
        problems = [
            f"{_line_of(node, key) or 0}: {key}: {message}" for key, message in flatten_messages(exc.messages)
        ]
        raise ContentError(path, problems) from None
