"""Digits as people type them: any script's digits (Dari, Bengali, Thai...), grouped with spaces or dashes."""

from __future__ import annotations

import unicodedata

_SEPARATORS = frozenset(" -.\u00a0\u202f\u2009")  # how people group digits when they copy them down


def digits_only(text: str, limit: int = 40) -> str | None:
    """``text`` as ASCII digits, with spaces and dashes dropped and any script's digits read; None if anything else."""
    if len(text) > limit:
        return None
    digits = []
    for char in text:
        if char in _SEPARATORS:
            continue
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        digits.append(str(value))
    return "".join(digits)
