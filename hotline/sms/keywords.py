"""What a short message asks for: a Twilio opt-out/opt-in/help keyword, or one of our commands (pure)."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from hotline.sms.config import SmsConfig

_MAX_ARGUMENT_WORDS = 3


class Command(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    TWILIO_HELP = "twilio_help"  # Twilio answered it already
    HELP = "help"
    LANGUAGE = "language"
    FACTS = "facts"
    CALLBACK = "callback"


TWILIO_COMMANDS = frozenset({Command.OPT_OUT, Command.OPT_IN, Command.TWILIO_HELP})


@dataclass(frozen=True)
class Interpretation:
    """A recognised keyword: the command, the language its word belongs to (if one), and any argument."""

    command: Command
    language: str | None = None
    argument: str | None = None


def normalise(text: str) -> str:
    """Compare form: NFKC, case-folded, whitespace collapsed, punctuation at either end removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = " ".join(folded.split())
    # Only punctuation, symbols and spaces are trimmed: Indic vowel signs (combining marks) are part of a word.
    start, end = 0, len(words)
    while start < end and _is_edge(words[start]):
        start += 1
    while end > start and _is_edge(words[end - 1]):
        end -= 1
    return words[start:end]


def _is_edge(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ"


def interpret(body: str | None, config: SmsConfig) -> Interpretation | None:
    """The keyword a message consists of, or None for an ordinary message."""
    if not body:
        return None
    text = normalise(body)
    if not text:
        return None
    for command, words in ((Command.OPT_OUT, config.opt_out), (Command.OPT_IN, config.opt_in),
                           (Command.TWILIO_HELP, config.twilio_help)):
        if text in words:
            return Interpretation(command)
    for name, by_language in config.keywords.items():
        command = Command(name)
        for language, words in by_language.items():
            found = _match(text, words, takes_argument=command in (Command.LANGUAGE, Command.FACTS))
            if found is not None:
                return Interpretation(command, language, found or None)
    for names in config.language_names.values():
        if text in _compare_forms(names):  # a language's name on its own ("bangla", "دری") chooses it
            return Interpretation(Command.LANGUAGE, None, text)
    return None


@functools.lru_cache(maxsize=1024)
def _compare_forms(words: tuple[str, ...]) -> tuple[str, ...]:
    """Keywords in compare form, longest first (computed once per keyword list, not once per message)."""
    return tuple(sorted((normalise(w) for w in words), key=len, reverse=True))


def _match(text: str, words: tuple[str, ...], *, takes_argument: bool) -> str | None:
    """'' for a bare keyword, the argument for 'keyword argument', None for no match (longest keyword wins)."""
    for word in _compare_forms(words):
        if text == word:
            return ""
        if takes_argument and text.startswith(word + " "):
            argument = text[len(word) + 1:].strip()
            if 0 < len(argument.split()) <= _MAX_ARGUMENT_WORDS:
                return argument
    return None


def resolve_topic(argument: str | None, config: SmsConfig, categories: tuple[str, ...]) -> str | None:
    """The codebook category an argument to `facts` names (its slug or one of its words), or None."""
    if not argument:
        return None
    wanted = normalise(argument)
    if wanted in categories:
        return wanted
    for category, words in config.topics.items():
        if wanted in _compare_forms(words):
            return category
    return None


def resolve_language(argument: str | None, names: dict[str, tuple[str, ...]]) -> str | None:
    """The language code an argument to `language` names: a code, an English or a native name."""
    if not argument:
        return None
    wanted = normalise(argument)
    for code, aliases in names.items():
        if wanted == code or wanted in (normalise(a) for a in aliases):
            return code
    return None
