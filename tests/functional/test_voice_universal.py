"""No caller is turned away for language: a language of the number with no prompts yet stays in the menu, and a
caller who chooses it or presses nothing hears a short instruction in the number's voiced languages, the tone, and
leaves a message in any language, filed with the number's likely languages. Every call ends politely."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.models import Caller, Report
from hotline.triage.access import may_open_report
from tests.factories import make_staff, sign_in
from tests.fakes.twilio_caller import FakeTwilioCaller, Recorded
from tests.functional import test_voice_calls as calls

AFGHAN = calls.AFGHAN
ivr, clock, twiml_schema, phone = calls.ivr, calls.clock, calls.twiml_schema, calls.phone
INSTRUCTION_EN = "SAY[en-GB] After the tone, speak in any language. Press the hash key when you have finished."
INSTRUCTION_PRS = "PLAY /ivr/audio/prs/synthetic/universal_instruction.wav"


def _report(db_session: Session, recording_sid: str) -> Report:
    report = db_session.scalar(select(Report).where(Report.source_id == recording_sid))
    assert report is not None
    return report


def test_a_caller_who_chooses_a_language_without_prompts_leaves_a_message(
        phone: FakeTwilioCaller, db_session: Session) -> None:
    # The Afghan line: Dari (stand-ins) and English are voiced; Pashto and Hazaragi have no prompts in this test,
    # so they come after the voiced languages: Dari 1, English 2, Pashto 3, Hazaragi 4.
    call = phone.call(["3", Recorded(duration=11)], dialled=AFGHAN)
    said = call.transcript
    assert not any("/ps/" in line for line in said)  # nothing is played in a language that has no audio
    assert "SAY[en-GB] For English, press 2." in said  # ...and its option is not announced in English instead
    assert "SAY[en-GB] For English, press 3." not in said and "SAY[en-GB] For English, press 4." not in said
    assert INSTRUCTION_PRS in said and INSTRUCTION_EN in said
    assert said.index(INSTRUCTION_PRS) < said.index("RECORD 11s")
    assert "PLAY /ivr/audio/prs/synthetic/recorded_thanks.wav" in said
    assert said[-3:] == ["SAY[en-GB] Thank you for calling. Goodbye.", "HANGUP", "STATUS completed"]
    report = _report(db_session, call.recordings[0])
    assert report.type == "question" and report.language == "ps"  # the caller's choice goes with the report
    contact = calls.contact_of(db_session, call.call_sid)
    assert contact.state["language_hint"] == ["ps", "prs", "en", "haz"]
    assert "universal_message" in contact.ivr_path
    caller = db_session.get(Caller, contact.caller_id)
    assert caller is not None and caller.language is None  # not taught: the next call offers the menu again


def test_a_caller_who_presses_nothing_leaves_a_message_in_any_language(
        phone: FakeTwilioCaller, db_session: Session, client: FlaskClient) -> None:
    call = phone.call(["", "", "", Recorded(duration=9)], dialled=AFGHAN)
    said = call.transcript
    assert said.count("PRESS (silence)") == 3 and INSTRUCTION_EN in said and "RECORD 9s" in said
    assert said[-2:] == ["HANGUP", "STATUS completed"]
    report = _report(db_session, call.recordings[0])
    assert report.language is None  # unknown: every operator may listen to find out...
    contact = calls.contact_of(db_session, call.call_sid)
    assert contact.state["language_hint"] == ["prs", "en", "ps", "haz"]  # ...with the number's languages as a hint
    english_operator = make_staff(db_session, "operator", languages=["en"])
    assert may_open_report(english_operator, report)
    db_session.commit()
    sign_in(client, english_operator)
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    likely = page.split('id="context-likely-languages">', 1)[1].split("</dd>", 1)[0]
    assert likely.index("Dari") < likely.index("English") < likely.index("Pashto") < likely.index("Hazaragi")


def test_no_message_still_ends_the_call_politely(phone: FakeTwilioCaller, db_session: Session) -> None:
    call = phone.call(["4"], dialled=AFGHAN)  # Hazaragi, then says nothing at the tone
    said = call.transcript
    assert "RECORD 0s" in said and "PLAY /ivr/audio/prs/synthetic/recorded_thanks.wav" not in said
    assert said[-4:] == ["PLAY /ivr/audio/prs/synthetic/goodbye.wav", "SAY[en-GB] Thank you for calling. Goodbye.",
                         "HANGUP", "STATUS completed"]
    contact = calls.contact_of(db_session, call.call_sid)
    assert contact.status == "completed" and contact.state["ended"] is True


def test_a_voiced_language_is_chosen_as_before(phone: FakeTwilioCaller, db_session: Session) -> None:
    call = phone.call(["2", "1", "9", ""], dialled=AFGHAN)  # English, heard on the radio, change language...
    said = call.transcript
    assert INSTRUCTION_EN not in said and "SAY[en-GB] To change the language, press 9." in said
    contact = calls.contact_of(db_session, call.call_sid)
    assert contact.language == "en"
