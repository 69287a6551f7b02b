"""The focal points' SMS format, parsed: "<keyword> <people> <what they say>" (pure).

"FP 12 people said the border opens in March" -> 12 people, "people said the border opens in March".
Digits may be written in any script the hotline's languages use (Persian, Arabic, Bengali, Thai...).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hotline.field.sms_config import FieldSmsConfig

MAX_PEOPLE = 100_000


@dataclass(frozen=True)
class FieldSms:
    """A well-formed report; ``language`` is the language whose keyword was used (None for a shared one)."""

    language: str | None
    people: int
    text: str


@dataclass(frozen=True)
class MalformedFieldSms:
    """The keyword was used but the rest does not fit the format: answer with the hint."""

    language: str | None


def _keyword_language(word: str, config: FieldSmsConfig) -> tuple[bool, str | None]:
    """Whether ``word`` is a keyword, and the one language it belongs to (None when shared, like "FP")."""
    languages = [lang for lang, words in config.keywords.items() if word in words]
    if not languages:
        return False, None
    return True, languages[0] if len(languages) == 1 else None


def _number(token: str) -> int | None:
    """An integer written in any script's decimal digits, or None."""
    if not token or not all(unicodedata.decimal(ch, None) is not None for ch in token):
        return None
    return int("".join(str(unicodedata.decimal(ch)) for ch in token))


def parse_field_sms(body: str | None, config: FieldSmsConfig) -> FieldSms | MalformedFieldSms | None:
    """None when the message does not start with a keyword; otherwise a report or a malformed one."""
    words = (body or "").strip().split(maxsplit=2)
    if not words:
        return None
    is_keyword, language = _keyword_language(words[0].strip(".:,;!").casefold(), config)
    if not is_keyword:
        return None
    people = _number(words[1]) if len(words) > 1 else None
    text = words[2].strip() if len(words) > 2 else ""
    if people is None or not 1 <= people <= MAX_PEOPLE or not text:
        return MalformedFieldSms(language)
    return FieldSms(language, people, text)
