"""The briefing sheet as a PDF: hotline.pdf's paragraphs, each shaped in its own script and direction.

Every paragraph goes through :func:`hotline.pdf.write_paragraph` (the digest's fix): set in its script's Noto font
with HarfBuzz, right to left when its first strong letter is, broken at spaces only (never at a zero-width
non-joiner inside a Dari word), so Dari, Urdu, Bengali and Thai come out whole and in reading order.
"""

from __future__ import annotations

from fpdf import FPDF

from hotline.field.briefing import Briefing, BriefingMessage
from hotline.pdf import new_pdf, write_paragraph

RTL_LANGUAGES = {"prs", "haz", "ps", "ur", "dv"}


def render_pdf(briefing: Briefing, labels: dict[str, str]) -> bytes:
    """A4 (one page for a usual sheet); ``labels`` are the headings, translated by the caller into the sheet's
    language when it has a catalogue."""
    language = briefing.language
    pdf = new_pdf(labels["title"], rtl=language in RTL_LANGUAGES)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    write_paragraph(pdf, labels["title"], 16, 9, language)
    area = " / ".join(part for part in (briefing.country, briefing.admin1) if part)
    write_paragraph(pdf, f"{area}  {briefing.generated_on.isoformat()}", 9, 6)
    _heading(pdf, labels["rumours"], language)
    for number, rumour in enumerate(briefing.rumours, start=1):
        write_paragraph(pdf, f"{number}. {rumour.statement}", 11, 6.5, language)
        if rumour.fact is not None:
            write_paragraph(pdf, labels.get("fact", ""), 9, 5, language)
            _message(pdf, rumour.fact, language)
        pdf.ln(1.5)
    if not briefing.rumours:
        write_paragraph(pdf, labels["none"], 10.5, 6, language)
    _heading(pdf, labels["messages"], language)
    for message in briefing.other_messages:
        _message(pdf, message, language)
        pdf.ln(1.5)
    if not briefing.other_messages:
        write_paragraph(pdf, labels["none"], 10.5, 6, language)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, language: str) -> None:
    pdf.ln(3)
    write_paragraph(pdf, text, 13, 8, language)


def _message(pdf: FPDF, message: BriefingMessage, language: str) -> None:
    write_paragraph(pdf, message.title, 10.5, 6, language)
    write_paragraph(pdf, message.body, 10.5, 6, language)
    if message.source:
        write_paragraph(pdf, f"({message.source})", 9, 5, language)
