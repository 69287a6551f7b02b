"""The digest page as a PDF (hotline.pdf: Noto fonts embedded, HarfBuzz shaping, so every script renders)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotline.pdf import FONT_DIRS, MAIN_FONT, NOTO_DIR, FontsMissing, new_pdf

__all__ = ["NOTO_DIR", "Block", "FontsMissing", "render_pdf"]


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of the page."""

    text: str
    heading: bool = False


def render_pdf(title: str, blocks: list[Block], font_dirs: tuple[Path, ...] = FONT_DIRS) -> bytes:
    """One PDF page (more if the text runs over) with the given title and blocks."""
    pdf = new_pdf(title, folders=font_dirs)
    pdf.add_page()
    pdf.set_font(MAIN_FONT, size=16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    for block in blocks:
        pdf.set_font(MAIN_FONT, size=12.5 if block.heading else 10.5)
        if block.heading:
            pdf.ln(2)
        pdf.multi_cell(0, 7 if block.heading else 6, block.text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
