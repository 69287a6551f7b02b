"""Text normalisation per script, so that the many ways callers write one word compare equal.

Pure functions: no Flask, no database. Used for classifier features, lexicon matching and rumour matching.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-script variants: Arabic letters folded onto the Persian/Urdu forms callers' phones produce.
_ARABIC_FOLDS = {
    "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
    "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
    "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
    "\u0622": "\u0627",  # ALEF WITH MADDA -> ALEF (often typed plain)
    "\u0671": "\u0627",  # ALEF WASLA -> ALEF
    "\u0629": "\u0647",  # TEH MARBUTA -> HEH
    "\u06c1": "\u0647",  # HEH GOAL (Urdu) -> HEH
    "\u06c3": "\u0647",  # TEH MARBUTA GOAL -> HEH
    "\u06c0": "\u0647",  # HEH WITH YEH ABOVE -> HEH
    "\u06be": "\u0647",  # HEH DOACHASHMEE: typed as plain heh on many keyboards
    "\u0624": "\u0648",  # WAW WITH HAMZA -> WAW
}
# Invisible joiners and marks that vary between keyboards: ZWNJ (Persian half-space), ZWJ, ZWSP, BOM, RLM/LRM.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u0640"), None)  # + tatweel
_FOLD_TABLE = {ord(k): v for k, v in _ARABIC_FOLDS.items()} | _INVISIBLE
_QUESTION_MARKS = frozenset("?\u061f\u037e\uff1f\u2e2e")  # Latin, Arabic, Greek, full-width, reversed
_SPACES = re.compile(r"\s+")


def _is_arabic_diacritic(ch: str) -> bool:
    # Harakat, tanwin, shadda, sukun, superscript alef and Quranic marks; NOT Indic/Thai/Thaana vowel signs,
    # which carry meaning and must stay.
    code = ord(ch)
    return 0x064B <= code <= 0x065F or code == 0x0670 or 0x06D6 <= code <= 0x06ED or 0x08D3 <= code <= 0x08FF


def ascii_digits(text: str) -> str:
    """Replace every decimal digit of any script (Arabic-Indic, Persian, Bengali, Thai, Tamil...) by 0-9."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def normalise(text: str, keep_question_mark: bool = False) -> str:
    """Fold ``text`` to a canonical form: NFKC, script variants, digits, case, punctuation and spaces.

    With ``keep_question_mark`` every script's question mark becomes a standalone ``?`` (a cue for the
    report type); otherwise it is dropped with the other punctuation.
    """
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE)
    out: list[str] = []
    for ch in ascii_digits(text):
        category = unicodedata.category(ch)
        if ch in _QUESTION_MARKS:
            out.append(" ? " if keep_question_mark else " ")
        elif category[0] in "PSZC":  # punctuation, symbols, separators, controls
            out.append(" ")
        elif category == "Mn" and _is_arabic_diacritic(ch):
            continue
        elif 0xC0 <= ord(ch) <= 0x24F:  # accented Latin letter: romanised Rohingya/Dari accents are optional
            out.append(unicodedata.normalize("NFD", ch)[0])
        else:
            out.append(ch)
    return _SPACES.sub(" ", "".join(out).casefold()).strip()
