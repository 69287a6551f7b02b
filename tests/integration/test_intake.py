"""The intake service against a real database: idempotency, pseudonymity, conversations, coding checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundRecording, InboundReport, Intake
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.service import ContactOpening, IntakeError, KnownCaller, begin_contact, open_contact, record
from hotline.privacy.pseudonym import pseudonym
from hotline.privacy.sealing import unseal
from tests.databases import statements
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


def _call_event(call_sid: str, sender: str | None = "+93701234567", **fields: Any) -> Intake:
    return Intake(channel=Channel.VOICE, received_at=datetime.now(UTC), sender=sender, contact_key=call_sid,
                  hotline_number="+93790000000", **fields)


def test_a_new_contact_opens_with_its_first_state_in_one_insert(app: Flask, db_session: Session) -> None:
    rt = runtime(app)
    ctx = rt.intake_context()
    call = _call_event(sid("CA"))
    with statements(db_session) as seen:
        pending = begin_contact(db_session, call, ctx)
        assert pending is not None and pending.caller == KnownCaller(language=None, heard_via=None)
        opening = ContactOpening(state={"node": "main_menu", "seq": 1}, ivr_path=["notice", "main_menu"],
                                 status="in-progress", language="prs", heard_via="radio")
        contact_id = open_contact(db_session, pending, ctx, opening)
    # One look-up (the contact and the caller together) and the two inserts: no UPDATE, no flush of ORM objects.
    # PostgreSQL inserts the new caller and their contact in one statement (a data-modifying WITH).
    if db_session.get_bind().dialect.name == "postgresql":
        assert [s.split()[0] for s in seen] == ["SELECT", "WITH"]
    else:
        assert [s.split()[0] for s in seen] == ["SELECT", "INSERT", "INSERT"]
    contact = db_session.get(Contact, contact_id)
    assert contact is not None and contact.provider_id == call.contact_key and contact.channel == "voice"
    assert contact.state == {"node": "main_menu", "seq": 1} and contact.ivr_path == ["notice", "main_menu"]
    assert (contact.status, contact.language, contact.heard_via) == ("in-progress", "prs", "radio")
    assert contact.started_at == contact.last_activity_at == call.received_at
    caller = contact.caller
    assert caller is not None and caller.pseudonym == pseudonym(rt.keys, "+93701234567")
    assert (caller.language, caller.heard_via, caller.country) == ("prs", "radio", "AF")
    assert caller.reply_address is not None and caller.phone_masked is not None
    assert unseal(rt.keys, caller.reply_address, caller.pseudonym) == "+93701234567"
    assert caller.reply_address_expires_at == call.received_at + timedelta(days=ctx.reply_address_ttl_days)
    assert caller.first_seen_at == caller.last_seen_at == call.received_at
    assert caller.opted_out is False and caller.key_version == rt.keys.version and contact.ended_at is None
    assert contact.caller_id == caller.id and contact.language_confidence is None and contact.focal_point_id is None
    assert begin_contact(db_session, call, ctx) is None  # a replay: left to record(), which finds it


def test_a_returning_caller_is_refreshed_and_keeps_what_they_told_us(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    earlier = record(db_session, make_sms_intake(), ctx).caller
    assert earlier is not None
    earlier.heard_via, earlier.language = "poster", "ps"
    db_session.flush()
    later = _call_event(sid("CA"))
    pending = begin_contact(db_session, later, ctx)
    assert pending is not None and pending.caller == KnownCaller(language="ps", heard_via="poster")
    contact_id = open_contact(db_session, pending, ctx, ContactOpening(state={}, language="prs", heard_via="radio"))
    contact = db_session.get(Contact, contact_id)
    assert contact is not None and contact.caller_id == earlier.id and _count(db_session, Caller) == 1
    # The caller object loaded earlier in this session sees what the Core UPDATE wrote.
    assert (earlier.language, earlier.heard_via, earlier.last_seen_at) == ("prs", "poster", later.received_at)
    assert contact.heard_via == "radio"


def test_an_opted_out_caller_gets_no_new_reply_address(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    caller = record(db_session, make_sms_intake(), ctx).caller
    assert caller is not None
    caller.opted_out, caller.reply_address, caller.phone_masked = True, None, None
    db_session.flush()
    pending = begin_contact(db_session, _call_event(sid("CA")), ctx)
    assert pending is not None
    open_contact(db_session, pending, ctx, ContactOpening(state={}))
    assert caller.reply_address is None and caller.phone_masked is None


def test_a_withheld_number_opens_an_anonymous_contact(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    callers = _count(db_session, Caller)
    pending = begin_contact(db_session, _call_event(sid("CA"), sender="Anonymous"), ctx)
    assert pending is not None and pending.caller is None
    contact = db_session.get(Contact, open_contact(db_session, pending, ctx, ContactOpening(state={"seq": 1})))
    assert contact is not None and contact.caller_id is None and _count(db_session, Caller) == callers


def test_a_concurrent_delivery_keeps_the_first_contact(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    call = _call_event(sid("CA"))
    pending = begin_contact(db_session, call, ctx)
    first = record(db_session, call, ctx)  # the other delivery stores the contact in the meantime
    assert pending is not None and open_contact(db_session, pending, ctx, ContactOpening(state={})) is None
    assert _count(db_session, Contact) == 1 and first.contact.state == {}


def test_two_first_calls_from_one_number_at_once_share_one_caller(app: Flask, db_session: Session) -> None:
    """The caller's INSERT finds them inserted by the other call (on PostgreSQL the statement that would have
    inserted both inserts neither): the caller is refreshed and the call opened as theirs."""
    ctx = runtime(app).intake_context()
    number = "+93701230011"
    second = _call_event(sid("CA"), sender=number)
    pending = begin_contact(db_session, second, ctx)  # no caller yet, as far as it knows
    first = record(db_session, _call_event(sid("CA"), sender=number), ctx)  # the other call stores them meanwhile
    assert pending is not None and pending.stored is None and first.caller is not None
    contact_id = open_contact(db_session, pending, ctx, ContactOpening(state={"seq": 1}, language="ps"))
    contact = db_session.get(Contact, contact_id)
    assert contact is not None and contact.caller_id == first.caller.id and contact.state == {"seq": 1}
    assert db_session.scalar(select(func.count()).select_from(Caller).where(
        Caller.pseudonym == first.caller.pseudonym)) == 1
    assert first.caller.language == "ps" and first.caller.last_seen_at == first.contact.started_at  # the later


def test_a_new_caller_whose_contact_was_opened_meanwhile_continues_it(app: Flask, db_session: Session,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller is new but the contact's key was taken in between (here by a delivery without the number): the
    caller is inserted (on PostgreSQL by the statement that inserts no contact) and the stored contact continued."""
    ctx = runtime(app).intake_context()
    call_sid = sid("CA")
    late = _call_event(call_sid, sender="+93701230022", heard_via="radio")
    from hotline.intake import service

    stale = service._look_up(db_session, late, ctx)  # neither the call nor the caller is stored, it finds
    first = record(db_session, _call_event(call_sid, sender=None), ctx)
    monkeypatch.setattr(service, "_look_up", lambda *_args: stale)
    racing = record(db_session, late, ctx)
    assert racing.new_caller and not racing.new_contact and racing.contact is first.contact
    assert racing.caller is not None and racing.caller.heard_via == "radio" and racing.contact.heard_via == "radio"
    assert db_session.scalar(select(func.count()).select_from(Contact).where(Contact.provider_id == call_sid)) == 1


def test_begin_contact_only_opens_contacts(app: Flask, db_session: Session) -> None:
    with pytest.raises(ValueError, match="only opens a contact"):
        begin_contact(db_session, make_sms_intake(), runtime(app).intake_context())


def _as_if_looked_up_before(monkeypatch: pytest.MonkeyPatch, session: Session, event: Intake, ctx: Any) -> None:
    """The next ``record`` of ``event`` sees what its lookup saw now: a concurrent delivery writes in between."""
    from hotline.intake import service

    stale = service._look_up(session, event, ctx)
    monkeypatch.setattr(service, "_look_up", lambda *_args: stale)


def test_two_first_texts_from_one_number_at_once_share_one_caller(app: Flask, db_session: Session,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = runtime(app).intake_context()
    number = "+93701239876"
    second = make_sms_intake(sender=number, body="second")
    _as_if_looked_up_before(monkeypatch, db_session, second, ctx)  # no caller yet, as far as it knows
    first = record(db_session, make_sms_intake(sender=number, body="first"), ctx)
    racing = record(db_session, second, ctx)
    assert first.caller is not None and racing.caller is first.caller  # the caller's row, inserted once
    assert not racing.new_caller and racing.report is not None and racing.report.caller_id == first.caller.id
    assert db_session.scalar(select(func.count()).select_from(Caller).where(
        Caller.pseudonym == first.caller.pseudonym)) == 1


def test_two_deliveries_opening_one_call_at_once_keep_one_contact(app: Flask, db_session: Session,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = runtime(app).intake_context()
    call_sid = sid("CA")
    recording = InboundRecording(sid=sid("RE"), purpose="report", media_url=None)
    late = _call_event(call_sid, recording=recording)
    _as_if_looked_up_before(monkeypatch, db_session, late, ctx)  # the call is not stored yet, as far as it knows
    first = record(db_session, _call_event(call_sid), ctx)
    racing = record(db_session, late, ctx)
    assert racing.created and not racing.new_contact and racing.contact is first.contact
    assert db_session.scalar(select(func.count()).select_from(Contact).where(Contact.provider_id == call_sid)) == 1
    assert db_session.scalar(select(Recording.contact_id).where(Recording.provider_sid == recording.sid)) \
        == first.contact.id
