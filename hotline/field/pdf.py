"""The briefing sheet as a one-page PDF: fpdf2 with HarfBuzz text shaping, every script's Noto font embedded."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hotline.field.briefing import Briefing

FONT_DIRS = (Path(__file__).resolve().parents[1] / "static" / "fonts", Path("/usr/share/fonts/truetype/noto"))
# Family name -> TrueType file; the first is the main font, the others are fallbacks tried glyph by glyph.
FONTS = {
    "NotoSans": "NotoSans-Regular.ttf",
    "NotoSansArabic": "NotoSansArabic-Regular.ttf",
    "NotoSansBengali": "NotoSansBengali-Regular.ttf",
    "NotoSansThai": "NotoSansThai-Regular.ttf",
    "NotoSansSinhala": "NotoSansSinhala-Regular.ttf",
    "NotoSansTamil": "NotoSansTamil-Regular.ttf",
    "NotoSansThaana": "NotoSansThaana-Regular.ttf",
}
RTL_LANGUAGES = {"prs", "haz", "ps", "ur", "dv"}


class FontsMissing(RuntimeError):
    """The Noto TrueType fonts are not installed (Debian: fonts-noto-core)."""


def _font_path(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FontsMissing(f"{name} not found in {', '.join(map(str, FONT_DIRS))}: install fonts-noto-core")


def render_pdf(briefing: Briefing, labels: dict[str, str]) -> bytes:
    """One A4 page; ``labels`` are the sheet's headings in the UI language (translated by the caller)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    for family, filename in FONTS.items():
        pdf.add_font(family, "", str(_font_path(filename)))
    pdf.set_font("NotoSans", size=11)
    pdf.set_fallback_fonts([family for family in FONTS if family != "NotoSans"], exact_match=False)
    rtl = briefing.language in RTL_LANGUAGES
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    align = "R" if rtl else "L"
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.multi_cell(0, 9, labels["title"], align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font_size(9)
    area = " / ".join(part for part in (briefing.country, briefing.admin1) if part)
    pdf.multi_cell(0, 6, f"{area}  {briefing.language}  {briefing.generated_on.isoformat()}", align=align,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _section(pdf, labels["rumours"], [r.statement for r in briefing.rumours], labels["none"], align)
    _section(pdf, labels["messages"],
             [f"{m.title}\n{m.body}" + (f"\n({m.source})" if m.source else "") for m in briefing.messages],
             labels["none"], align)
    return bytes(pdf.output())


def _section(pdf: FPDF, heading: str, items: list[str], empty: str, align: str) -> None:
    pdf.ln(3)
    pdf.set_font_size(13)
    pdf.multi_cell(0, 8, heading, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font_size(10.5)
    for number, text in enumerate(items or [empty], start=1):
        prefix = f"{number}. " if items else ""
        pdf.multi_cell(0, 6, prefix + text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
