"""The digest page as a PDF with fpdf2: Noto fonts embedded, HarfBuzz shaping, so every script renders.

Fonts come from Debian's fonts-noto-core (``make system-deps``); a missing font is an error naming the file,
never a PDF of empty boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from hotline.trends.glyphs import NOTO_DIR

# The first family is the main one; the others are fallbacks fpdf2 switches to for characters the main one lacks.
FONTS = {
    "NotoSans": "NotoSans-Regular.ttf",
    "NotoSansArabic": "NotoSansArabic-Regular.ttf",
    "NotoSansBengali": "NotoSansBengali-Regular.ttf",
    "NotoSansThai": "NotoSansThai-Regular.ttf",
    "NotoSansSinhala": "NotoSansSinhala-Regular.ttf",
    "NotoSansTamil": "NotoSansTamil-Regular.ttf",
    "NotoSansThaana": "NotoSansThaana-Regular.ttf",
}


class FontMissing(Exception):
    """A Noto font the PDF needs is not installed."""


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of the page."""

    text: str
    heading: bool = False


def render_pdf(title: str, blocks: list[Block], font_dir: Path = NOTO_DIR) -> bytes:
    """One PDF page (more if the text runs over) with the given title and blocks."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Hotline")
    for family, name in FONTS.items():
        path = font_dir / name
        if not path.exists():
            raise FontMissing(f"{path} is missing: install Debian's fonts-noto-core (make system-deps)")
        pdf.add_font(family, fname=str(path))
    pdf.set_fallback_fonts([family for family in FONTS if family != "NotoSans"])
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_font("NotoSans", size=16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    for block in blocks:
        pdf.set_font("NotoSans", size=12.5 if block.heading else 10.5)
        if block.heading:
            pdf.ln(2)
        pdf.multi_cell(0, 7 if block.heading else 6, block.text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
