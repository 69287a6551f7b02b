# ruff: noqa: RUF001 - Dari text in Arabic script is meant to be there
"""`hotline digest weekly`: HTML and PDF per region and language, every script rendered, mailed over SMTP."""

from __future__ import annotations

import base64
import io
import re
import socket
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from hotline.cli import cli
from hotline.digest.content import DigestPage
from hotline.digest.pdf import NOTO_DIR
from hotline.digest.render import page_blocks
from hotline.rumours.models import ApprovalStatus, CounterMessage
from hotline.trends.png import png_available
from tests.factories import make_staff
from tests.trends_helpers import add_report, add_rumour

SAMPLES = {
    ("AF", "ps"): "د اروپا پوله خلاصه ده",
    ("BD", "bn"): "সীমান্ত খোলা নেই, নিরাপদ পথ আছে",
    ("TH", "th"): "เรือไม่ปลอดภัยในฤดูมรสุม",
}


def seed(session: Session) -> None:
    operator = make_staff(session)
    for (country, language), text in SAMPLES.items():
        rumour = add_rumour(session)
        rumour.statement_translations = {language: text}
        for _ in range(6):
            add_report(session, "2026-11-24T10:00:00", coded_by=operator, country=country, admin1=None,
                       language=language, rumour_id=rumour.id)
        session.add(CounterMessage(language=language, title=text[:12], body=text, category="journey_risk",
                                   status=ApprovalStatus.APPROVED))
    session.flush()


def pdf_fonts_and_text(path: Path) -> tuple[set[str], str]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    fonts: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), "font not embedded"
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    return fonts, "".join(page.extract_text() for page in reader.pages)


@pytest.fixture()
def smtp_server() -> Any:
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Sink

    class Keep(Sink):
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.messages.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}?tls=none", handler  # a loopback relay without TLS, asked for
    finally:
        controller.stop()


@pytest.mark.skipif(not NOTO_DIR.exists(), reason="needs Debian's fonts-noto-core (make system-deps)")
def test_weekly_digest_renders_every_script_and_is_mailed(runner: FlaskCliRunner, db_session: Session,
                                                          tmp_path: Path, smtp_server: Any) -> None:
    seed(db_session)
    url, handler = smtp_server
    result = runner.invoke(cli, ["digest", "weekly", "--week", "2026-W48", "--out", str(tmp_path),
                                 "--smtp-url", url, "--mail-to", "campaigns@hotline.test"])
    assert result.exit_code == 0, result.output
    expected = {"NotoSansArabic": ("AF", "ps"), "NotoSansBengali": ("BD", "bn"), "NotoSansThai": ("TH", "th")}
    for font, (country, language) in expected.items():
        html = (tmp_path / f"digest-2026-W48-{country}-{language}.html").read_text(encoding="utf-8")
        assert SAMPLES[(country, language)] in html and "+93" not in html and "caller words" not in html
        fonts, text = pdf_fonts_and_text(tmp_path / f"digest-2026-W48-{country}-{language}.pdf")
        assert font in fonts
        # Every letter of the sample comes back out of the PDF: no missing glyphs (empty boxes).
        assert set(SAMPLES[(country, language)].replace(" ", "").replace(",", "")) <= set(text)
    assert len(handler.messages) == 1
    # What is mailed is one document per region (issue 19); each language's page stays in the folder.
    assert b"digest-2026-W48-BD.pdf" in handler.messages[0] and b"digest-2026-W48-BD-bn.pdf" not in handler.messages[0]


@pytest.mark.skipif(not NOTO_DIR.exists(), reason="needs Debian's fonts-noto-core (make system-deps)")
def test_one_document_per_region_with_a_chart_and_names(runner: FlaskCliRunner, db_session: Session,
                                                        tmp_path: Path) -> None:
    seed(db_session)
    operator = make_staff(db_session, email="second@hotline.test")
    for _ in range(6):  # a second language in Afghanistan: one document, two sections
        add_report(db_session, "2026-11-25T10:00:00", coded_by=operator, country="AF", admin1=None, language="prs",
                   category="border_status")
    result = runner.invoke(cli, ["digest", "weekly", "--week", "2026-W48", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("digest-2026-W48-??.pdf")) == [
        "digest-2026-W48-AF.pdf", "digest-2026-W48-BD.pdf", "digest-2026-W48-TH.pdf"]
    html = (tmp_path / "digest-2026-W48-AF.html").read_text(encoding="utf-8")
    assert "Afghanistan" in html and "Pashto" in html and "Dari" in html  # names, not AF / ps / prs
    assert SAMPLES[("AF", "ps")] in html and "caller words" not in html and "+93" not in html
    chart = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert chart is not None
    svg = base64.b64decode(chart.group(1)).decode("utf-8")
    assert ">Smuggler claims<" in svg and ">smuggler_claims<" not in svg  # category names in the legend
    _fonts, text = pdf_fonts_and_text(tmp_path / "digest-2026-W48-AF.pdf")
    assert "Afghanistan" in text and "Pashto" in text and "Dari" in text
    if png_available():
        reader = pypdf.PdfReader(io.BytesIO((tmp_path / "digest-2026-W48-AF.pdf").read_bytes()))
        assert reader.pages[0].images, "the chart is drawn in the PDF"


def test_a_bad_week_names_the_option(runner: FlaskCliRunner, db_session: Session) -> None:
    result = runner.invoke(cli, ["digest", "weekly", "--week", "2027-W53"])
    assert result.exit_code == 2 and "--week" in result.output


DARI_RUMOUR = "قاچاقبر می‌گوید کشتی کلان و مصئون است"
DARI_MESSAGE = ("کشتی‌ها در فصل باران خطرناک اند و قاچاقبرها راست نمی‌گویند. "
                "هیچ کشتی‌ای بدون ویزه به ساحل اجازه ندارد و کسانی که می‌روند بازگردانده می‌شوند. "
                "راه‌های قانونی را از دفتر ما بپرسید و با خانواده‌تان مشوره کنید.")
HEADINGS = ("Top rumours", "Rising rumours", "Campaigns", "Approved counter-messages")


@pytest.mark.skipif(not NOTO_DIR.exists(), reason="needs Debian's fonts-noto-core (make system-deps)")
def test_dari_digest_reads_in_order_keeps_words_whole_and_says_when_a_list_is_empty(
        runner: FlaskCliRunner, db_session: Session, tmp_path: Path) -> None:
    operator = make_staff(db_session)
    rumour = add_rumour(db_session)
    rumour.statement_translations = {"prs": DARI_RUMOUR}
    for _ in range(6):
        add_report(db_session, "2026-11-24T10:00:00", coded_by=operator, country="AF", admin1=None,
                   language="prs", rumour_id=rumour.id)
    db_session.add(CounterMessage(language="prs", title="حقیقت", body=DARI_MESSAGE, category="journey_risk",
                                  status=ApprovalStatus.APPROVED))
    db_session.flush()
    result = runner.invoke(cli, ["digest", "weekly", "--week", "2026-W48", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    _, text = pdf_fonts_and_text(tmp_path / "digest-2026-W48-AF-prs.pdf")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    flowing = " ".join(lines)
    # The message runs over several lines; read back, its words and its lines are in the order they were written.
    assert DARI_MESSAGE in flowing
    assert DARI_RUMOUR in flowing
    # Words joined by a zero-width non-joiner stay one word: never split or reordered around it.
    for word in ("می‌گوید", "نمی‌گویند", "کشتی‌ها", "راه‌های", "خانواده‌تان"):
        assert word in flowing, word
    # No heading stands alone: the empty lists say so.
    for heading in HEADINGS:
        following = lines[lines.index(heading) + 1]
        assert following not in HEADINGS, heading
    assert "No campaign running here this week." in lines


def test_every_heading_of_an_empty_page_has_its_sentence(app: Flask) -> None:
    page = DigestPage(week="2026-W48", monday=date(2026, 11, 23), country="AF", language="prs", total=None)
    with app.test_request_context("/"):
        blocks = page_blocks(page, k=5, weeks=4)
    texts = [block.text for block in blocks]
    for heading, sentence in zip(HEADINGS, ("None this week.", "Nothing unusual this week.",
                                            "No campaign running here this week.",
                                            "None approved in this language."), strict=True):
        following = blocks[texts.index(heading) + 1]
        assert (following.text, following.heading) == (sentence, False)
