"""PDF documents in every script: fpdf2 with HarfBuzz text shaping and the Noto fonts embedded.

Shared by the weekly digest and the focal points' briefing sheets. Fonts come from the app's own copies in
``hotline/static/fonts`` when present, else Debian's fonts-noto-core (``make system-deps``); a missing font is an
error naming the file, never a PDF of empty boxes.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

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
