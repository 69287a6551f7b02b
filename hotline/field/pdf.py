"""The briefing sheet as a one-page PDF: fpdf2 with HarfBuzz text shaping, every script's Noto font embedded."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hotline.field.briefing import Briefing
from hotline.pdf import new_pdf

RTL_LANGUAGES = {"prs", "haz", "ps", "ur", "dv"}


def render_pdf(briefing: Briefing, labels: dict[str, str]) -> bytes:
    """One A4 page; ``labels`` are the sheet's headings in the UI language (translated by the caller)."""
    rtl = briefing.language in RTL_LANGUAGES
    pdf = new_pdf(labels["title"], rtl=rtl)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
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
