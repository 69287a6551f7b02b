"""Write each digest page as HTML and PDF, and (when configured) mail them over SMTP."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import render_template
from flask_babel import get_locale, gettext

from hotline.context import runtime
from hotline.digest.content import DigestPage, DigestRegion
from hotline.digest.mail import connect, parse_smtp_url
from hotline.digest.pdf import Block, render_pdf
from hotline.i18n import current_ui_code, language_name
from hotline.trends.charts import line_inputs
from hotline.trends.config import trends_config
from hotline.trends.explain import explain_rise
from hotline.trends.png import png_available, svg_to_png
from hotline.trends.svgchart import line_chart


@dataclass(frozen=True)
class Written:
    """One page's (or one region's) files."""

    page: DigestPage | None
    html: Path
    pdf: Path


def _hidden(count: int | None, k: int) -> str:
    return str(count) if count is not None else gettext("fewer than %(k)s", k=k)


def page_blocks(page: DigestPage, k: int, weeks: int) -> list[Block]:
    """The page's content as PDF blocks (same content as the HTML)."""
    blocks = [Block(gettext("Reports with confirmed coding this week:") + " " + _hidden(page.total, k))]
    # Every heading has a sentence under it, as on the HTML page: an empty list says so.
    _section(blocks, gettext("Top rumours"), gettext("None this week."),
             [Block(f"{n}. {text} ({_hidden(count, k)})") for n, (text, count) in enumerate(page.top_rumours, 1)])
    _section(blocks, gettext("Rising rumours"), gettext("Nothing unusual this week."),
             [Block(f"{text}: {explain_rise(rise, gettext, weeks)}") for text, rise in page.rising])
    _section(blocks, gettext("Campaigns"), gettext("No campaign running here this week."),
             [Block(name) for name in page.campaigns])
    _section(blocks, gettext("Approved counter-messages"), gettext("None approved in this language."),
             [block for title, body in page.counter_messages for block in (Block(title), Block(body))])
    news = page.regional
    if news is not None and (news.warnings or news.paths):
        _section(blocks, gettext("Early warnings from peer countries"),
                 gettext("Nothing rising upstream on the routes to here."),
                 [Block(f"{line.statement}: {line.sentence}") for line in news.warnings])
        _section(blocks, gettext("Rumours across borders"),
                 gettext("No rumour confirmed as crossing a border has a published week yet."),
                 [Block(f"{line.statement}: {line.sentence}") for line in news.paths])
    return blocks


def _section(blocks: list[Block], heading: str, empty: str, body: list[Block]) -> None:
    blocks.append(Block(heading, heading=True))
    blocks.extend(body or [Block(empty)])


def write_pages(pages: Iterable[DigestPage], out: Path) -> list[Written]:
    """HTML and PDF for every page, in ``out`` (created)."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = trends_config()
    written = []
    for page in pages:
        stem = f"digest-{page.week}-{page.country}-{page.language}"
        title = f"{gettext('Weekly digest')} {page.week}: {page.country}, {language_name(page.language)}"
        html = render_template("digest/weekly.html", page=page, k=cfg.min_cell_count,
                               language=language_name(page.language),
                               rising=[(text, explain_rise(rise, gettext, cfg.rising.recent_weeks))
                                       for text, rise in page.rising])
        (out / f"{stem}.html").write_text(html, encoding="utf-8")
        pdf = render_pdf(title, page_blocks(page, cfg.min_cell_count, cfg.rising.recent_weeks),
                         language=page.language)
        (out / f"{stem}.pdf").write_bytes(pdf)
        written.append(Written(page, out / f"{stem}.html", out / f"{stem}.pdf"))
    return written


def send_digest(smtp_url: str, sender: str, recipients: list[str], week: str, files: list[Written]) -> None:
    """One e-mail with every page attached, over verified TLS (hotline.digest.mail: smtps://, or smtp:// with
    STARTTLS; plain text only to a loopback relay asked for with ?tls=none). Raises MailRefused, ValueError, OSError
    (ssl.SSLCertVerificationError included) or smtplib.SMTPException, having sent nothing."""
    target = parse_smtp_url(smtp_url)
    message = EmailMessage()
    message["Subject"] = f"{gettext('Weekly digest')} {week}"
    message["From"], message["To"] = sender, ", ".join(recipients)
    message.set_content(gettext("The weekly digest is attached: one document per region."))
    for item in files:
        message.add_attachment(item.pdf.read_bytes(), maintype="application", subtype="pdf", filename=item.pdf.name)
        message.add_attachment(item.html.read_text(encoding="utf-8"), subtype="html", filename=item.html.name)
    with connect(target) as client:
        client.send_message(message)


def region_chart(region: DigestRegion, k: int, outline: bool = False) -> str:
    """The region's weekly counts by category as an SVG line chart: category names, hidden weeks as gaps."""
    taxonomy, ui = runtime().taxonomy, current_ui_code()

    def label(value: str | int | None) -> str:
        category = taxonomy.category(str(value)) if value is not None else None
        return category.label.in_language(ui) if category else str(gettext("unconfirmed"))

    weeks, lines = line_inputs(region.series, label)
    return line_chart(gettext("Reports per week"), weeks, lines, outline=outline,
                      hidden_label=gettext("hidden (under %(k)s)", k=k))


def region_name(country: str) -> str:
    """A country's name in the UI language (CLDR), its code when CLDR has none."""
    locale = get_locale()
    return str(locale.territories.get(country, country)) if locale is not None else country


def write_regions(regions: Iterable[DigestRegion], out: Path) -> list[Written]:
    """One HTML and one PDF per region: its chart, then each language's page, names instead of codes."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = trends_config()
    k, weeks = cfg.min_cell_count, cfg.rising.recent_weeks
    written = []
    for region in regions:
        stem = f"digest-{region.week}-{region.country}"
        name = region_name(region.country)
        title = f"{gettext('Weekly digest')} {region.week}: {name}"
        svg = region_chart(region, k)
        sections = [(page, language_name(page.language),
                     [(text, explain_rise(rise, gettext, weeks)) for text, rise in page.rising])
                    for page in region.pages]
        html = render_template("digest/region.html", region=region, name=name, k=k, sections=sections,
                               chart=base64.b64encode(svg.encode("utf-8")).decode("ascii"))
        (out / f"{stem}.html").write_text(html, encoding="utf-8")
        blocks: list[Block] = []
        if png_available():
            blocks.append(Block("", image=svg_to_png(region_chart(region, k, outline=True))))
        for page, language, _rising in sections:
            blocks.append(Block(language, heading=True))
            blocks.extend(page_blocks(page, k, weeks))
        # The page's language for shaping is the region's first: each paragraph is still set in its own script.
        pdf = render_pdf(title, blocks, language=region.pages[0].language if region.pages else None)
        (out / f"{stem}.pdf").write_bytes(pdf)
        written.append(Written(None, out / f"{stem}.html", out / f"{stem}.pdf"))
    return written
