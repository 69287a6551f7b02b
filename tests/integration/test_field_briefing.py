"""Briefing packs: canonical statements and approved counter-messages only; a PDF that embeds its fonts."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Flask
from pypdf import PdfReader
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.field.briefing import build_briefing
from hotline.field.pdf import render_pdf
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundReport, Intake
from hotline.intake.service import record
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from tests.factories import make_staff, sign_in
from tests.field_factories import field_sign_in, make_focal_point

MESSAGES = {
    "prs": "سفر قاچاق در بحر خطرناک است",
    "bn": "সমুদ্রপথে যাত্রা বিপজ্জনক",
    "th": "การเดินทางทางทะเลอันตราย",
}
LABELS = {"title": "Briefing", "rumours": "Rumours", "messages": "Facts", "none": "-"}


def _library(app: Flask, session: Session) -> Rumour:
    now = utcnow()
    rumour = Rumour(canonical_statement="The border opens in March", category="destination_policy",
                    status=RumourStatus.REVIEWED, statement_translations={"prs": "مرز در ماه مارچ باز می‌شود"},
                    first_seen_at=now, last_seen_at=now)
    session.add(rumour)
    for language, body in MESSAGES.items():
        session.add(CounterMessage(rumour=rumour, language=language, title=f"Fact {language}", body=body,
                                   status=ApprovalStatus.APPROVED, approved_at=now, source="UNHCR"))
    session.flush()
    from hotline.context import runtime

    ctx = runtime(app).intake_context()
    for index in range(3):
        result = record(session, Intake(channel=Channel.FIELD, received_at=now - timedelta(days=index), sender=None,
                                        contact_key=f"FV-brief-{index}", report=InboundReport(
                                            source_id=f"FS-brief-{index}", text="<b>caller words</b> secret",
                                            country="AF", admin1="AF-KAB", people_count=10)), ctx)
        assert result.report is not None
        result.report.rumour_id = rumour.id
    session.flush()
    return rumour


def test_the_briefing_shows_statements_never_caller_text(app: Flask, db_session: Session) -> None:
    _library(app, db_session)
    briefing = build_briefing(db_session, "AF", "AF-KAB", "prs", utcnow())
    assert [r.statement for r in briefing.rumours] == ["مرز در ماه مارچ باز می‌شود"]
    assert briefing.rumours[0].reports == 3 and briefing.rumours[0].people == 30
    assert [m.body for m in briefing.messages] == [MESSAGES["prs"]]
    assert build_briefing(db_session, "BD", None, "prs", utcnow()).rumours == ()


def test_the_pdf_embeds_fonts_and_every_script_is_extractable(app: Flask, db_session: Session) -> None:
    _library(app, db_session)
    for language, body in MESSAGES.items():
        pdf = render_pdf(build_briefing(db_session, "AF", None, language, utcnow()), LABELS)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        fonts = reader.pages[0]["/Resources"]["/Font"]
        embedded = [fonts[name].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                    .get_object().get("/FontFile2") for name in fonts]
        assert embedded and all(embedded), "every font is embedded"
        text = reader.pages[0].extract_text()
        words = [word for word in body.split() if len(word) > 2]
        assert any(word in text for word in words), (language, text)
        assert "caller words" not in text


def test_briefing_pages_for_focal_points_and_supervisors(app: Flask, client, db_session: Session) -> None:
    _library(app, db_session)
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    page = client.get("/field/briefing")
    assert page.status_code == 200 and "مرز در ماه مارچ باز می‌شود" in page.get_data(as_text=True)
    assert "caller words" not in page.get_data(as_text=True)
    assert client.get("/field/briefing.pdf").data.startswith(b"%PDF")
    staff = app.test_client()
    sign_in(staff, make_staff(db_session, "supervisor"))
    sheet = staff.get("/console/field/briefing?area=AF-KAB&lang=bn")
    assert sheet.status_code == 200 and MESSAGES["bn"] in sheet.get_data(as_text=True)
    assert staff.get("/console/field/briefing.pdf?area=AF&lang=th").mimetype == "application/pdf"
    assert staff.get("/console/field/briefing?area=<x>&lang=bn").status_code == 400


def test_each_rumour_is_paired_with_its_fact_and_not_repeated(app: Flask, db_session: Session) -> None:
    _library(app, db_session)
    briefing = build_briefing(db_session, "AF", "AF-KAB", "prs", utcnow())
    fact = briefing.rumours[0].fact
    assert fact is not None and fact.body == MESSAGES["prs"] and fact.source == "UNHCR"
    assert briefing.other_messages == ()  # the only approved message is the rumour's own: printed once, beside it
    assert build_briefing(db_session, "AF", "AF-KAB", "ps", utcnow()).rumours[0].fact is None


def test_the_pdf_sets_dari_words_whole_beside_their_fact(app: Flask, db_session: Session) -> None:
    _library(app, db_session)
    labels = {**LABELS, "fact": "Fact:"}
    pdf = render_pdf(build_briefing(db_session, "AF", "AF-KAB", "prs", utcnow()), labels)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # the zero-width non-joiner inside می‌شود stays inside the word, and the words come out in reading order
    assert "می‌شود" in text.replace("\u200c\u200c", "\u200c") or "میشود" in text, text
    for line in ("مرز در ماه مارچ", "سفر قاچاق در بحر خطرناک است"):
        assert line in text, (line, text)
    assert text.index("مرز در ماه مارچ") < text.index("سفر قاچاق")  # the rumour, then its fact


def test_the_console_sheet_speaks_the_sheets_language(app: Flask, client, db_session: Session) -> None:
    _library(app, db_session)
    sign_in(client, make_staff(db_session, "supervisor"))
    page = client.get("/console/field/briefing?area=AF-KAB&lang=prs").get_data(as_text=True)
    assert "برگه معلومات" in page  # "Briefing sheet" in Dari, though the console speaks English
    assert MESSAGES["prs"] in page and 'class="fact"' in page
    assert "Briefing sheet" in client.get("/console/field/briefing?area=AF-KAB&lang=en").get_data(as_text=True)
