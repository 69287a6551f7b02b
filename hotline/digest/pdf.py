"""The digest page as a PDF (hotline.pdf: Noto fonts embedded, HarfBuzz shaping, so every script renders)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from hotline.pdf import FONT_DIRS, NOTO_DIR, FontsMissing, new_pdf, write_paragraph

__all__ = ["NOTO_DIR", "Block", "FontsMissing", "render_pdf"]


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of the page."""

    text: str
    heading: bool = False
    image: bytes | None = None  # a PNG (a chart) drawn across the page instead of text


def render_pdf(title: str, blocks: list[Block], font_dirs: tuple[Path, ...] = FONT_DIRS,
               language: str | None = None) -> bytes:
    """One PDF page (more if the text runs over) with the given title and blocks.

    Each block is set in its own script and direction (``language`` tells HarfBuzz the page's language, for the
    blocks written in it): headings in the UI language sit beside rumours and messages in the page's language.
    """
    pdf = new_pdf(title, folders=font_dirs)
    pdf.add_page()
    write_paragraph(pdf, title, 16, 9, language)
    for block in blocks:
        if block.image is not None:
            pdf.image(io.BytesIO(block.image), w=pdf.epw)
            continue
        if block.heading:
            pdf.ln(2)
        write_paragraph(pdf, block.text, 12.5 if block.heading else 10.5, 7 if block.heading else 6, language)
    return bytes(pdf.output())
