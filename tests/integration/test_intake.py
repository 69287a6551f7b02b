"""The intake service against a real database: idempotency, pseudonymity, conversations, coding checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundRecording, InboundReport, Intake
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.service import IntakeError, record
from hotline.privacy.pseudonym import pseudonym
from hotline.privacy.sealing import unseal
from tests.factories import make_sms_intake, sid


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_sms_is_stored_pseudonymously(app: Flask, db_session: Session) -> None:
    rt = runtime(app)
    event = make_sms_intake(sender="whatsapp:+93701234567", channel=Channel.WHATSAPP)
    result = record(db_session, event, rt.intake_context())
    caller = result.caller
    assert result.created and result.new_caller and result.new_contact
    assert caller is not None and caller.pseudonym == pseudonym(rt.keys, "+93701234567")
    assert caller.country == "AF"
    assert caller.reply_address is not None
    assert unseal(rt.keys, caller.reply_address, caller.pseudonym) == "whatsapp:+93701234567"
    assert caller.reply_address_expires_at == result.contact.started_at + timedelta(days=90)
    assert result.report is not None and result.report.week.weekday() == 0
    assert result.report.country == "AF" and result.report.channel == "whatsapp"


def test_replayed_message_creates_nothing_new(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    event = make_sms_intake()
    first = record(db_session, event, ctx)
    counts = [_count(db_session, m) for m in (Caller, Contact, Message, Report)]
    again = record(db_session, event, ctx)
    assert not again.created and again.contact.id == first.contact.id
    assert [_count(db_session, m) for m in (Caller, Contact, Message, Report)] == counts


def test_messages_within_the_window_share_a_conversation(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    first = record(db_session, make_sms_intake(body="salaam"), ctx)
    later = first.contact.started_at + timedelta(minutes=30)
    second = record(db_session, make_sms_intake(body="is the border open", received_at=later), ctx)
    much_later = later + ctx.conversation_window + timedelta(minutes=1)
    third = record(db_session, make_sms_intake(body="again", received_at=much_later), ctx)
    assert second.contact.id == first.contact.id and not second.new_contact
    assert third.contact.id != first.contact.id and third.new_contact
    assert first.caller is not None and third.caller is not None and third.caller.id == first.caller.id


def test_a_call_collects_recordings_under_its_callsid(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    call_sid = sid("CA")
    start = make_sms_intake()
    call = Intake(channel=Channel.VOICE, received_at=start.received_at, sender="+8801712345678",
                  contact_key=call_sid, language="bn", ivr_step="language")
    opened = record(db_session, call, ctx)
    rec_sid = sid("RE")
    recorded = Intake(
        channel=Channel.VOICE, received_at=start.received_at, sender="+8801712345678", contact_key=call_sid,
        recording=InboundRecording(sid=rec_sid, purpose="question", media_url="https://api.twilio.com/r/1"),
        report=InboundReport(source_id=rec_sid, type="question"), ivr_step="record_question",
    )
    with_recording = record(db_session, recorded, ctx)
    replay = record(db_session, recorded, ctx)
    assert with_recording.contact.id == opened.contact.id
    assert opened.contact.ivr_path == ["language", "record_question"]
    assert with_recording.report is not None and with_recording.report.recording is not None
    assert not replay.created and _count(db_session, Recording) == 1 and _count(db_session, Report) == 1
    assert opened.caller is not None and opened.caller.language == "bn"


def test_withheld_caller_id_gives_an_anonymous_contact(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    result = record(db_session, make_sms_intake(sender="Anonymous"), ctx)
    assert result.caller is None and result.report is not None and result.report.caller_id is None


def test_coding_outside_the_codebook_is_refused(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    bad = make_sms_intake(report=InboundReport(source_id=sid(), text="x", type="question", category="nonsense"))
    with pytest.raises(IntakeError, match="codebook"):
        record(db_session, bad, ctx)


def test_hostile_text_is_stored_verbatim_except_nul_and_numbers(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    body = "=HYPERLINK(\"http://x\")<script>alert(1)</script>\x00 call +93 70 123 4567"
    result = record(db_session, make_sms_intake(body=body), ctx)
    assert result.report is not None and result.report.text is not None
    assert result.report.text.startswith("=HYPERLINK(\"http://x\")<script>alert(1)</script>\ufffd call [+93 70")
    assert "123 4567" not in result.report.text
