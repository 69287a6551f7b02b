"""PDF documents in every script: fpdf2 with HarfBuzz text shaping and the Noto fonts embedded.

Shared by the weekly digest and the focal points' briefing sheets. Fonts come from the app's own copies in
``hotline/static/fonts`` when present, else Debian's fonts-noto-core (``make system-deps``); a missing font is an
error naming the file, never a PDF of empty boxes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
FONT_DIRS = (Path(__file__).resolve().parent / "static" / "fonts", NOTO_DIR)
# Family -> TrueType file. The first is the main font; fpdf2 falls back to the others glyph by glyph.
FONTS = {
    "NotoSans": "NotoSans-Regular.ttf",
    "NotoSansArabic": "NotoSansArabic-Regular.ttf",
    "NotoSansBengali": "NotoSansBengali-Regular.ttf",
    "NotoSansThai": "NotoSansThai-Regular.ttf",
    "NotoSansSinhala": "NotoSansSinhala-Regular.ttf",
    "NotoSansTamil": "NotoSansTamil-Regular.ttf",
    "NotoSansThaana": "NotoSansThaana-Regular.ttf",
}
MAIN_FONT = "NotoSans"
# Unicode blocks of the scripts Hotline's callers write -> (font family, OpenType script tag). A paragraph is set in
# its own script's font: glyph by glyph fallback would cut it into one run per font at every space and at every
# zero-width (non-)joiner, and HarfBuzz would then shape, and bidi order, each piece alone.
SCRIPT_BLOCKS = (
    (0x0600, 0x06FF, "NotoSansArabic", "arab"), (0x0750, 0x077F, "NotoSansArabic", "arab"),
    (0xFB50, 0xFDFF, "NotoSansArabic", "arab"), (0xFE70, 0xFEFF, "NotoSansArabic", "arab"),
    (0x0780, 0x07BF, "NotoSansThaana", "thaa"), (0x0980, 0x09FF, "NotoSansBengali", "beng"),
    (0x0B80, 0x0BFF, "NotoSansTamil", "taml"), (0x0D80, 0x0DFF, "NotoSansSinhala", "sinh"),
    (0x0E00, 0x0E7F, "NotoSansThai", "thai"),
)


class FontsMissing(RuntimeError):
    """A Noto font the PDF needs is not installed."""


def font_path(name: str, folders: tuple[Path, ...] = FONT_DIRS) -> Path:
    """Where the TrueType file ``name`` is, or FontsMissing naming the folders searched."""
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise FontsMissing(f"{name} not found in {', '.join(map(str, folders))}: install Debian's fonts-noto-core "
                       "(make system-deps)")


def new_pdf(title: str, rtl: bool = False, folders: tuple[Path, ...] = FONT_DIRS) -> FPDF:
    """An A4 document with every script's font embedded, shaping on, in ``rtl`` or left-to-right direction."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Hotline")
    for family, filename in FONTS.items():
        pdf.add_font(family, "", str(font_path(filename, folders)))
    pdf.set_font(MAIN_FONT, size=11)
    pdf.set_fallback_fonts([family for family in FONTS if family != MAIN_FONT], exact_match=False)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    return pdf


@dataclass(frozen=True)
class TextStyle:
    """How to set one paragraph: its font, OpenType script (None: Latin or unknown) and base direction."""

    font: str
    script: str | None
    rtl: bool


def text_style(text: str) -> TextStyle:
    """The font and script of the first character in a non-Latin script; the direction of the first strong one.

    The direction follows the Unicode bidi algorithm's rule for a paragraph (P2-P3): a Dari sentence that starts
    with a number is still right to left.
    """
    font, script = MAIN_FONT, None
    for char in text:
        code = ord(char)
        found = next(((f, s) for start, end, f, s in SCRIPT_BLOCKS if start <= code <= end), None)
        if found:
            font, script = found
            break
    strong = next((unicodedata.bidirectional(c) for c in text if unicodedata.bidirectional(c) in ("L", "R", "AL")),
                  "L")
    return TextStyle(font, script, strong in ("R", "AL"))


def write_paragraph(pdf: FPDF, text: str, size: float, line_height: float, language: str | None = None) -> None:
    """One paragraph, shaped in its own script and direction, right-aligned when right to left.

    Lines break at spaces only (never at a zero-width non-joiner, which is inside a Dari word), and come out in
    reading order, so a PDF reader extracts the words as they were written.
    """
    style = text_style(text)
    pdf.set_font(style.font, size=size)
    pdf.set_fallback_fonts([family for family in FONTS if family != style.font], exact_match=False)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if style.rtl else "ltr", script=style.script,
                         language=language if style.script else None)
    pdf.multi_cell(0, line_height, text, align="R" if style.rtl else "L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
