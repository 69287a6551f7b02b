"""Whole calls through the voice webhooks, driven by the fake Twilio caller; every TwiML response checked by XSD."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.callbacks.models import CallbackConsent
from hotline.context import runtime
from hotline.intake.models import Caller, Contact, Report
from hotline.ivr.content import IvrPaths, load_ivr_content
from hotline.ivr.runtime import ivr_content
from hotline.operators.models import Presence
from hotline.operators.presence import PRESENCE_TTL, set_presence
from hotline.rumours.models import ApprovalStatus, CounterMessage
from tests.factories import make_staff
from tests.fakes.twilio_caller import FakeTwilioCaller, Queue, Recorded

# A copy of ../shared/twiml-xsd kept with the tests, so a clone anywhere validates TwiML (never skips).
XSD_DIR = Path(__file__).resolve().parents[1] / "schemas" / "twiml-xsd"
XSD = XSD_DIR / "twiml_v20100401_twilioRealtimeCallSchema.xsd"
AFGHAN, MALAYSIAN, INDONESIAN = "+93790000000", "+60390000000", "+62210000000"
# Wednesday 2026-11-25 10:00 in Kabul is inside office hours; tests that need "closed" use the Friday.
OPEN = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)
CLOSED = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def twiml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _silent_wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)


@pytest.fixture()
def ivr(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """IVR content whose audio folder holds Dari stand-ins (and one Dari recording), independent of local builds."""
    audio = tmp_path / "audio"
    content = ivr_content(app)
    for prompt in content.flow.used_prompts():
        _silent_wav(audio / "prs" / "synthetic" / f"{prompt}.wav")
    _silent_wav(audio / "prs" / "notice.wav")  # a human recording wins over the stand-in
    original = app.extensions["hotline_ivr"]
    app.extensions["hotline_ivr"] = load_ivr_content(runtime(app).languages, IvrPaths(audio=audio))
    yield audio
    app.extensions["hotline_ivr"] = original


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The time the voice webhooks see (office hours depend on it)."""
    now = [OPEN]
    monkeypatch.setattr("hotline.ivr.views.utcnow", lambda: now[0])
    yield now


@pytest.fixture()
def phone(client, twiml_schema: etree.XMLSchema, ivr: Path, clock: list[datetime]) -> FakeTwilioCaller:
    return FakeTwilioCaller(client, lambda body: assert_valid_twiml(twiml_schema, body))


def assert_valid_twiml(schema: etree.XMLSchema, body: bytes) -> None:
    """The XSD's check, with <Leave> (a queue wait verb the XSD does not know) accepted only where Twilio runs it:
    empty, as the wait URL's last verb; the rest of the document is still validated."""
    document = etree.fromstring(body)
    leave = document.findall("Leave")
    if leave:
        assert leave[-1] is document[-1] and len(leave) == 1, "a <Leave> must be the wait URL's last verb"
        assert not len(leave[0]) and not (leave[0].text or "").strip() and not leave[0].attrib
        document.remove(leave[0])
    schema.assertValid(document)


def contact_of(db_session: Session, call_sid: str) -> Contact:
    contact = db_session.scalar(select(Contact).where(Contact.provider_id == call_sid))
    assert contact is not None
    return contact


def test_dari_call_without_a_twilio_voice_asks_a_question(phone: FakeTwilioCaller, db_session: Session) -> None:
    call = phone.call(["1", "2", "2", Recorded(duration=14), "", "", ""], dialled=AFGHAN)
    assert call.transcript[0] == "PLAY /ivr/audio/prs/notice.wav"  # the recording, not the stand-in
    assert "PLAY /ivr/audio/prs/synthetic/language_option_1.wav" in call.transcript
    assert any(line.startswith("SAY[en-GB]") for line in call.transcript[:4])  # English offered in English
    assert not any("/ps/" in line for line in call.transcript)  # Pashto has no prompts: not offered
    assert call.ended_by == "hangup" and call.transcript[-1] == "STATUS completed"
    assert call.transcript[-3:-1] == ["PLAY /ivr/audio/prs/synthetic/goodbye_no_input.wav", "HANGUP"]
    contact = contact_of(db_session, call.call_sid)
    assert contact.language == "prs" and contact.heard_via == "religious_leader"
    assert contact.status == "completed" and contact.state["call"]["abandoned"] is False
    report = db_session.scalar(select(Report).where(Report.source_id == call.recordings[0]))
    assert report is not None and report.type == "question" and report.language == "prs"
    assert report.caller_id == contact.caller_id and report.recording.duration_seconds == 14
    assert contact.ivr_path[:3] == ["notice", "choose_language", "heard_via"]


def test_english_caller_reports_a_rumour_and_hears_the_facts(phone: FakeTwilioCaller, db_session: Session) -> None:
    db_session.add(CounterMessage(language="en", title="The border is not open",
                                  body="Nobody is allowed to land by boat.", source="UNHCR",
                                  status=ApprovalStatus.APPROVED, approved_at=datetime.now(UTC),
                                  valid_from=date(2020, 1, 1)))
    db_session.flush()
    call = phone.call(["4", "7", "1", "3", Recorded(duration=20, callback_first=True), "4", "1"],
                      dialled=MALAYSIAN)
    said = "\n".join(call.transcript)
    assert "The border is not open Nobody is allowed to land by boat. UNHCR" in said
    reports = db_session.scalars(select(Report).join(Contact).where(Contact.provider_id == call.call_sid)
                                 .order_by(Report.id)).all()
    assert [r.type for r in reports] == ["rumour_belief", "request"]
    assert db_session.scalar(select(CallbackConsent.report_id)) == reports[1].id  # pressed 1: consented
    assert contact_of(db_session, call.call_sid).heard_via == "other"


def available_operator(db_session: Session, languages: list[str], at: datetime) -> None:
    """An operator of ``languages`` who said they are available, their console seen at ``at``."""
    set_presence(db_session, make_staff(db_session, languages=languages), Presence.AVAILABLE, at)


def test_bengali_caller_reaches_an_operator_in_office_hours(phone: FakeTwilioCaller, db_session: Session,
                                                            clock: list[datetime]) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 11:00 in Kuala Lumpur
    available_operator(db_session, ["bn", "ms"], clock[0])
    call = phone.call(["2", "1", "5", Queue("bridged")], dialled=MALAYSIAN)
    assert "ENQUEUE hotline-bn" in call.transcript
    assert any(line.startswith("SAY[bn-IN]") for line in call.transcript)
    assert call.ended_by == "hangup"
    assert contact_of(db_session, call.call_sid).language == "bn"


def test_indonesian_caller_waits_too_long_and_leaves_voicemail(phone: FakeTwilioCaller, db_session: Session,
                                                               clock: list[datetime]) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Jakarta
    available_operator(db_session, ["id"], clock[0])
    call = phone.call(["1", "6", "5", Queue(None, wait=500), Recorded(duration=0)], dialled=INDONESIAN)
    assert "LEFT QUEUE" in call.transcript
    assert any("tinggalkan pesan" in line for line in call.transcript)
    report = db_session.scalar(select(Report).where(Report.source_id == call.recordings[0]))
    assert report is not None and report.type == "incomplete"  # empty recordings are kept, as incomplete


def test_the_hold_loop_gives_the_place_in_the_caller_s_language(phone: FakeTwilioCaller, db_session: Session,
                                                                clock: list[datetime]) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Jakarta
    available_operator(db_session, ["id"], clock[0])
    call = phone.call(["1", "6", "5", Queue("bridged", wait=30, position=3)], dialled=INDONESIAN)
    said = "\n".join(call.transcript)
    assert "Ada dua orang sebelum Anda." in said
    assert "There are two people" not in said
    queue = contact_of(db_session, call.call_sid).state["call"]["queue"]
    assert (queue["outcome"], queue["wait"]) == ("answered", 30)


def test_the_wait_ends_with_leave_and_a_voicemail_that_records(phone: FakeTwilioCaller, db_session: Session,
                                                               clock: list[datetime]) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    available_operator(db_session, ["id"], clock[0])
    call = phone.call(["1", "6", "5", Queue(None, wait=120), Recorded(duration=12)], dialled=INDONESIAN)
    assert "LEFT QUEUE" in call.transcript
    report = db_session.scalar(select(Report).where(Report.source_id == call.recordings[0]))
    assert report is not None
    assert report.type == "question"
    queue = contact_of(db_session, call.call_sid).state["call"]["queue"]
    assert (queue["outcome"], queue["wait"]) == ("voicemail", 120)


@pytest.mark.parametrize("presence", [Presence.BUSY, Presence.AWAY, None])
def test_without_an_available_operator_of_the_language_the_caller_is_told_and_leaves_a_message(
        phone: FakeTwilioCaller, db_session: Session, clock: list[datetime], presence: Presence | None) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # office open in Jakarta
    available_operator(db_session, ["bn"], clock[0])  # available, but not for Indonesian
    if presence is not None:
        set_presence(db_session, make_staff(db_session, languages=["id"]), presence, clock[0])
    call = phone.call(["1", "6", "5", Recorded(duration=9)], dialled=INDONESIAN)
    assert not any(line.startswith("ENQUEUE") for line in call.transcript)
    assert any("Saat ini tidak ada yang berbahasa Anda" in line for line in call.transcript)
    assert len(call.recordings) == 1


def test_an_operator_whose_console_went_quiet_is_not_counted(phone: FakeTwilioCaller, db_session: Session,
                                                             clock: list[datetime]) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    available_operator(db_session, ["id"], clock[0] - PRESENCE_TTL - timedelta(minutes=1))
    call = phone.call(["1", "6", "5", Recorded(duration=9)], dialled=INDONESIAN)
    assert not any(line.startswith("ENQUEUE") for line in call.transcript)


@pytest.mark.parametrize("language", ["prs", "haz", "ps", "ur", "bn", "si", "ta", "ms", "id", "th", "dv", "en"])
def test_the_new_prompts_are_translated_in_every_written_caller_language(app: Flask, language: str) -> None:
    with app.app_context():
        prompts = ivr_content().prompts
    for prompt in ("operator_unstaffed", "queue_position_1", "queue_position_more"):
        assert prompts.text(prompt, language), prompt


def test_outside_office_hours_the_operator_key_offers_voicemail(phone: FakeTwilioCaller, clock: list[datetime],
                                                                db_session: Session) -> None:
    clock[0] = CLOSED
    call = phone.call(["2", "1", "5", Recorded(duration=5)], dialled=AFGHAN)
    assert not any(line.startswith("ENQUEUE") for line in call.transcript)
    assert any("Our office is closed now" in line for line in call.transcript)


def test_returning_caller_goes_straight_to_their_language(phone: FakeTwilioCaller, db_session: Session) -> None:
    phone.call(["1", "3"], caller="+93701111111", dialled=AFGHAN)
    again = phone.call(["9", "2"], caller="+93701111111", dialled=AFGHAN)
    assert again.transcript[1] == "PLAY /ivr/audio/prs/synthetic/main_menu.wav"  # no language menu, no survey
    caller = db_session.scalar(select(Caller).join(Contact).where(Contact.provider_id == again.call_sid))
    assert caller is not None and caller.language == "en" and caller.heard_via == "family_friend"


def test_rohingya_without_prompts_is_not_offered(phone: FakeTwilioCaller) -> None:
    call = phone.call(["", "", ""], dialled=MALAYSIAN)
    assert not any("/rhg/" in line for line in call.transcript)
    assert call.ended_by == "hangup" and call.transcript.count("PRESS (silence)") == 3


def test_withheld_number_is_an_anonymous_call(phone: FakeTwilioCaller, db_session: Session) -> None:
    call = phone.call(["1", "2", "3", Recorded(duration=3)], caller="anonymous", dialled=AFGHAN)
    contact = contact_of(db_session, call.call_sid)
    assert contact.caller_id is None and len(contact.reports) == 1


def test_an_empty_recording_is_not_thanked_as_a_message(phone: FakeTwilioCaller) -> None:
    call = phone.call(["4", "7", "2", Recorded(duration=0), "", "", ""], dialled=MALAYSIAN)
    said = "\n".join(call.transcript)
    assert "We did not hear a message." in said
    assert "Someone from our team will listen to your message" not in said


def test_a_withheld_number_is_not_offered_a_call_back(phone: FakeTwilioCaller) -> None:
    call = phone.call(["4", "7", "4", "", "", ""], caller="anonymous", dialled=MALAYSIAN)
    said = "\n".join(call.transcript)
    assert "call you back, press 4" not in said
    assert "May we call you back" not in said


def test_no_facts_are_not_announced_as_what_we_know(phone: FakeTwilioCaller) -> None:
    call = phone.call(["4", "7", "1", "", "", ""], dialled=MALAYSIAN)  # English, and no counter-message in it
    said = "\n".join(call.transcript)
    assert "We have no new information in your language" in said
    assert "Here is what we know" not in said
