"""Recording prompts by phone: the staff-only path behind a staff number and PIN, through the call simulator (signed
webhooks, every TwiML document checked by the XSD), and `hotline users phone-pin`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.accounts import CLI
from hotline.auth.models import StaffPhonePin, User
from hotline.auth.passwords import verify_password
from hotline.auth.phone_pin import FREE_FAILURES, delay_after, issue_pin
from hotline.cli import cli
from hotline.ivr.prompts import RECORDED
from hotline.studio import service
from hotline.studio.models import PromptRecording, RecordingStatus
from hotline.studio.runtime import live_content
from tests.factories import STAFF_PASSWORD, csrf_token_in, make_staff, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for
from tests.fakes.twilio_caller import FakeTwilioCaller, Recorded
from tests.functional import test_voice_calls as calls
from tests.studio_audio import voice_like_wav

AFGHAN = calls.AFGHAN
ivr, clock, twiml_schema, phone = calls.ivr, calls.clock, calls.twiml_schema, calls.phone
NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
NOT_ACCEPTED = "SAY[en-GB] Not accepted. Enter your staff number, then press the hash key."


@pytest.fixture()
def twilio(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        fake.serve_recordings(voice_like_wav(seconds=1.0))
        yield fake


def _events(db_session: Session, action: str) -> int:
    return int(db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))
               or 0)


def test_a_translator_records_a_missing_prompt_by_phone_as_a_draft(
        app: Flask, client: FlaskClient, db_session: Session, phone: FakeTwilioCaller, twilio: FakeTwilioApi) -> None:
    translator = make_staff(db_session, "translator", languages=["ps"])
    issued = issue_pin(db_session, translator, NOW, CLI)
    missing_before = live_content(app).content(db_session).prompts.missing("ps")
    # The hidden key at the language menu, staff number, PIN; Pashto is their one language: the first prompt is
    # read at once. Record, listen, keep; record the second, then stop.
    call = phone.call(["*", issued.number, issued.pin, Recorded(duration=4), "1", "2", Recorded(duration=3), "*"],
                      dialled=AFGHAN)
    said = call.transcript
    first = said.index("SAY[en-GB] Staff recording. Enter your staff number, then press the hash key.")
    assert said[first + 2] == "SAY[en-GB] Enter your PIN, then press the hash key."
    assert any(line.startswith("SAY[en-GB] Prompt 1 of ") for line in said)
    assert any(line.startswith("SAY[en-GB] The English text is: ") for line in said)
    assert "SAY[en-GB] After the tone, say it in Pashto. Then press the hash key." in said
    assert f"PLAY https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{call.recordings[0]}" in said
    assert "SAY[en-GB] Kept as a draft. Someone else will approve it before callers hear it." in said
    assert said[-3:] == ["SAY[en-GB] Thank you. Goodbye.", "HANGUP", "STATUS completed"]

    db_session.expire_all()
    drafts = db_session.scalars(select(PromptRecording).where(PromptRecording.language == "ps")).all()
    assert len(drafts) == 1  # only the kept take; the second was never kept
    draft = drafts[0]
    assert draft.status == RecordingStatus.DRAFT and draft.source == "phone" and draft.author_id == translator.id
    assert draft.prompt == missing_before[0]
    assert draft.audio[:4] == b"RIFF" and draft.duration_ms > 300  # normalised like a browser recording
    assert any(r.method == "GET" and r.path.endswith(f"/Recordings/{call.recordings[0]}.mp3")
               and r.account_sid == "AC" + "0" * 32 for r in twilio.requests)  # with the account's credentials
    assert f"/Recordings/{call.recordings[0]}.json" in " ".join(twilio.deletes)  # then deleted at Twilio

    # Not heard until a second person approves it.
    assert live_content(app).content(db_session).prompts.resolve(draft.prompt, "ps").source != RECORDED
    assert client.get(f"/ivr/audio/ps/studio/{draft.id}.wav").status_code == 404
    service.approve(db_session, make_staff(db_session, "supervisor"), draft, NOW)
    db_session.flush()
    assert live_content(app).content(db_session).prompts.resolve(draft.prompt, "ps").source == RECORDED
    assert client.get(f"/ivr/audio/ps/studio/{draft.id}.wav").status_code == 200
    assert _events(db_session, "staff_phone_pin.sign_in") == 1

    # The next call skips what now has a recording.
    again = phone.call(["*", issued.number, issued.pin], dialled=AFGHAN)  # then silence: a polite end
    assert f"SAY[en-GB] Prompt 1 of {len(missing_before) - 1}: {missing_before[1].replace('_', ' ')}." in \
        again.transcript
    assert again.transcript[-3:] == ["SAY[en-GB] Nothing was recorded. Thank you. Goodbye.", "HANGUP",
                                     "STATUS completed"]


def test_wrong_pins_are_refused_alike_delayed_and_audited(
        db_session: Session, phone: FakeTwilioCaller, twilio: FakeTwilioApi) -> None:
    translator = make_staff(db_session, "translator", languages=["ps"])
    issued = issue_pin(db_session, translator, NOW, CLI)
    wrong = "0" * 8 if issued.pin != "0" * 8 else "1" * 8
    unknown = "9" * 8 if issued.number != "9" * 8 else "8" * 8
    call = phone.call(["*", issued.number, wrong, unknown, issued.pin[::-1], issued.number, wrong], dialled=AFGHAN)
    said = call.transcript
    # A wrong PIN and an unknown number get the same words; three tries, then a polite end.
    assert said.count(NOT_ACCEPTED) == 2
    assert said[-3:] == ["SAY[en-GB] Not accepted. Goodbye.", "HANGUP", "STATUS completed"]
    assert not any("Prompt 1" in line for line in said)
    assert _events(db_session, "staff_phone_pin.refused") == 3
    row = db_session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == translator.id))
    assert row is not None and row.failures == 2 and row.locked_until is None
    assert issued.pin not in row.pin_hash and verify_password(row.pin_hash, issued.pin)

    # Past the free tries the number waits; the right PIN is then refused unchecked, in the same words.
    phone.call(["*", issued.number, wrong, issued.number, wrong, issued.number, wrong], dialled=AFGHAN)
    db_session.refresh(row)
    assert row.failures == FREE_FAILURES and row.locked_until is not None
    waiting = phone.call(["*", issued.number, issued.pin, "hangup"], dialled=AFGHAN)
    assert NOT_ACCEPTED in waiting.transcript and not any("Prompt 1" in line for line in waiting.transcript)
    db_session.refresh(row)
    assert row.failures == FREE_FAILURES  # a try while waiting is not counted
    assert db_session.scalar(select(func.count()).select_from(PromptRecording)) == 0
    assert delay_after(FREE_FAILURES).total_seconds() == 60 and delay_after(30).total_seconds() == 15 * 60


def test_silence_at_the_staff_number_goes_back_to_the_menu(db_session: Session, phone: FakeTwilioCaller) -> None:
    call = phone.call(["*", "", "1", "1", "9"], dialled=AFGHAN)  # then Dari, radio, ...
    said = call.transcript
    back = said.index("PRESS (silence)")
    assert said[back + 1] == "REDIRECT"
    assert "PLAY /ivr/audio/prs/synthetic/language_option_1.wav" in said[back + 2:]
    contact = calls.contact_of(db_session, call.call_sid)
    assert contact.language == "prs" and contact.heard_via == "radio"


def test_staff_steps_must_be_signed(client: FlaskClient, db_session: Session) -> None:
    data = {"CallSid": "CA" + "c" * 32, "From": "+93701234567", "To": AFGHAN, "Digits": "12345678"}
    for step in ("number", "pin", "review"):
        assert client.post(f"/twilio/voice/studio/{step}", data=data).status_code == 403
        assert signed_post(client, f"/twilio/voice/studio/{step}", data, token="not-ours").status_code == 403
    assert _events(db_session, "staff_phone_pin.refused") == 0
    # Signed, but not a call the hotline answered: a polite end, nothing stored.
    response = signed_post(client, "/twilio/voice/studio/pin", data)
    assert response.status_code == 200 and b"<Hangup" in response.data


def test_a_staff_phone_pin_from_the_command_line(runner, db_session: Session) -> None:
    translator = make_staff(db_session, "translator", languages=["rhg"])
    operator = make_staff(db_session, "operator", languages=["en"])
    db_session.flush()
    result = runner.invoke(cli, ["users", "phone-pin", translator.email])
    assert result.exit_code == 0, result.output
    words = result.output.split()
    number, pin = words[2], words[4]
    row = db_session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == translator.id))
    assert row is not None and row.number == number and len(pin) == 8
    assert pin not in row.pin_hash and verify_password(row.pin_hash, pin)
    refused = runner.invoke(cli, ["users", "phone-pin", operator.email])
    assert refused.exit_code == 1 and "translators" in refused.output
    assert runner.invoke(cli, ["users", "phone-pin", translator.email, "--revoke"]).exit_code == 0
    assert db_session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == translator.id)) is None
    assert isinstance(db_session.get(User, translator.id), User)


def test_a_translator_sets_their_own_phone_pin_on_the_profile_page(client: FlaskClient, db_session: Session) -> None:
    translator = make_staff(db_session, "translator", languages=["dv"])
    db_session.flush()
    sign_in(client, translator)
    page = client.get("/console/profile").get_data(as_text=True)
    assert "Recording prompts by phone" in page
    csrf = csrf_token_in(page)
    assert client.post("/console/profile/phone-pin", data={"current_password": STAFF_PASSWORD}).status_code == 400
    wrong = client.post("/console/profile/phone-pin", data={"csrf_token": csrf, "current_password": "not it"})
    assert wrong.status_code == 303
    assert db_session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == translator.id)) is None
    shown = client.post("/console/profile/phone-pin", data={"csrf_token": csrf, "current_password": STAFF_PASSWORD})
    assert shown.status_code == 200 and "no-store" in shown.headers["Cache-Control"]
    row = db_session.scalar(select(StaffPhonePin).where(StaffPhonePin.user_id == translator.id))
    assert row is not None
    text = shown.get_data(as_text=True)
    pin = text.split(f"Staff number {row.number}, PIN ", 1)[1][:8]
    assert verify_password(row.pin_hash, pin)
    later = client.get("/console/profile").get_data(as_text=True)
    assert f"Your staff number: {row.number}" in later and pin not in later  # shown once


def test_an_operator_has_no_phone_pin(client: FlaskClient, db_session: Session) -> None:
    operator = make_staff(db_session, "operator", languages=["en"])
    db_session.flush()
    sign_in(client, operator)
    page = client.get("/console/profile").get_data(as_text=True)
    assert "Recording prompts by phone" not in page
    refused = client.post("/console/profile/phone-pin",
                          data={"csrf_token": csrf_token_in(page), "current_password": STAFF_PASSWORD})
    assert refused.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(StaffPhonePin)) == 0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A server in a subprocess (as `hotline simulate call` meets it) on its own SQLite file, pointed at a fake
    Twilio API, with a Pashto translator holding a phone PIN."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from sqlalchemy import create_engine

    from hotline.migrate import upgrade
    from tests.factories import TEST_SECRETS
    from tests.functional.test_voice_simulate_cli import ROOT, SERVE

    folder = tmp_path_factory.mktemp("staff-phone")
    url = f"sqlite:///{folder / 'served.sqlite3'}"
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        user = User(email="ps-translator@hotline.test", role="translator", languages=["ps"], active=True)
        session.add(user)
        session.flush()
        issued = issue_pin(session, user, NOW, CLI)
        session.commit()
    engine.dispose()
    with FakeTwilioApi() as fake, socket.socket() as sock:
        fake.serve_recordings(voice_like_wav(seconds=1.0))
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        env = {**os.environ, **TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url,
               "HOTLINE_INSTANCE_PATH": str(folder / "instance"), "HOTLINE_LOG_LEVEL": "WARNING",
               "HOTLINE_TWILIO_API_BASE": fake.base_url}
        process = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        assert process.poll() is None, "the served app exited at start-up"
        try:
            yield f"http://127.0.0.1:{port}", f"{issued.number},{issued.pin}", url
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_recording_by_phone_through_hotline_simulate_call(runner, served: tuple[str, str, str]) -> None:
    from sqlalchemy import create_engine

    from hotline.ivr.simulate_cli import simulate_group

    server, credentials, url = served
    wrong = runner.invoke(simulate_group, ["call", "--url", server, "--to", AFGHAN,
                                           "--keys", f"*,{credentials.split(',')[0]},00000000,hangup"])
    assert wrong.exit_code == 0, wrong.output
    assert "SAY[en-GB] Not accepted. Enter your staff number, then press the hash key." in wrong.output
    result = runner.invoke(simulate_group, ["call", "--url", server, "--to", AFGHAN,
                                            "--keys", f"*,{credentials},rec:5,2,rec:4,4,rec:3,*"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "SAY[en-GB] Kept as a draft. Someone else will approve it before callers hear it." in lines
    assert "SAY[en-GB] After the tone, say it in Pashto. Then press the hash key." in lines
    assert "3 recording(s)" in lines[-1] and "SAY[en-GB] Thank you. Goodbye." in lines
    engine = create_engine(url)
    with Session(engine) as session:
        rows = session.scalars(select(PromptRecording)).all()
        assert [(r.language, r.status, r.source) for r in rows] == [("ps", RecordingStatus.DRAFT, "phone")]
    engine.dispose()
