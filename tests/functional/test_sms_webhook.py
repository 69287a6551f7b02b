"""POST /twilio/sms and /twilio/sms/status, signed as Twilio signs them, replies sent to a local fake of Twilio."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.intake.constants import Direction
from hotline.intake.models import Caller, Contact, Message, Report
from hotline.jobs import job_session
from hotline.migrate import upgrade
from hotline.sms import outbound, replies
from tests.factories import sid, sign, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

SENDER = "+923001234567"
HOTLINE = "+93790000000"


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        yield fake


def _form(body: str = "کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے", sender: str = SENDER, **extra: str) -> dict[str, str]:
    return {"MessageSid": sid("SM"), "AccountSid": "AC00000000000000000000000000000000", "From": sender,
            "To": HOTLINE, "Body": body, "NumMedia": "0", **extra}


def _send(client: FlaskClient, form: dict[str, Any]) -> Any:
    return signed_post(client, "/twilio/sms", form)


def _count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _outbound(session: Session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND).order_by(Message.id)))


def test_unsigned_and_missigned_requests_are_refused_and_store_nothing(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    assert client.post("/twilio/sms", data=_form()).status_code == 403
    assert signed_post(client, "/twilio/sms", _form(), token="not-our-token").status_code == 403
    assert signed_post(client, "/twilio/sms/status", {"MessageSid": sid(), "MessageStatus": "delivered"},
                       token="wrong").status_code == 403
    assert _count(db_session, Message) == 0
    assert twilio_api.requests == []


def test_first_message_gets_one_acknowledgement_in_the_callers_language_and_script(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    response = _send(client, _form())
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert b"<Response" in response.data and b"<Message" not in response.data
    report = db_session.scalar(select(Report))
    assert report is not None and report.language == "ur" and report.language_confidence > 0.9
    [sent] = twilio_api.messages
    expected = replies.render("ur", replies.ACKNOWLEDGEMENT, hours="ہفتہ-بدھ 08:00-16:00")
    assert sent.form == {"To": SENDER, "From": HOTLINE, "Body": expected}
    assert sent.account_sid == "AC00000000000000000000000000000000"
    [reply] = _outbound(db_session)
    assert (reply.encoding, reply.status, reply.body) == ("UCS-2", "queued", expected)
    assert reply.segments is not None and reply.segments >= 2
    assert reply.provider_sid is not None and reply.provider_sid.startswith("SM")

    assert _send(client, _form("اور کشتی کب جاتی ہے؟")).status_code == 200
    assert len(twilio_api.messages) == 1  # later messages of the conversation get no acknowledgement
    assert _count(db_session, Contact) == 1
    assert _count(db_session, Report) == 2


def test_a_replayed_message_is_stored_once_and_answered_once(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    form = _form("Is the border open?")
    assert _send(client, form).status_code == 200
    assert _send(client, form).status_code == 200
    assert _count(db_session, Message, Message.direction == Direction.INBOUND) == 1
    assert _count(db_session, Report) == 1
    assert len(twilio_api.messages) == 1


def test_missing_message_sid_is_a_400_and_stores_nothing(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    form = _form()
    del form["MessageSid"]
    assert _send(client, form).status_code == 400
    assert _send(client, {**_form(), "MessageSid": "SM123"}).status_code == 400
    assert _count(db_session, Message) == 0
    assert twilio_api.requests == []


def test_missing_body_and_sender_are_still_stored(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    assert _send(client, {"MessageSid": sid("SM")}).status_code == 200
    message = db_session.scalar(select(Message))
    assert message is not None and message.body is None
    assert twilio_api.requests == []  # anonymous: nobody to reply to


@pytest.mark.parametrize("body", [
    "آیا سرحد استرالیا باز است؟ من می‌خواهم بروم",  # Dari, with a zero-width non-joiner
    "ދޯނިން އޮސްޓްރޭލިއާއަށް ދާން ރައްކާތެރިތޯ؟",  # Thaana
    "எல்லை திறந்திருக்கிறதா? 🙏🏽",  # Tamil and an emoji with a skin-tone modifier
    "ชายแดนเปิดไหม\u200b👨‍👩‍👧",  # Thai, zero-width space, a ZWJ family emoji
    "সীমান্ত কি খোলা আছে? <script>alert(1)</script>",
    "x" * 1600,
    "ب" * 1600,
])
def test_bodies_in_every_script_are_stored_exactly(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, body: str
) -> None:
    assert _send(client, _form(body)).status_code == 200
    message = db_session.scalar(select(Message).where(Message.direction == Direction.INBOUND))
    assert message is not None and message.body == body


def test_invalid_utf8_is_kept_not_refused(client: FlaskClient, db_session: Session,
                                          twilio_api: FakeTwilioApi) -> None:
    message_sid = sid("SM")
    raw = (f"MessageSid={message_sid}&From=%2B923001234567&To=%2B93790000000&Body=".encode()
           + quote_from_bytes(b"bad \xff\xfe bytes \xd8\x00").encode())
    # werkzeug keeps percent-escapes that are not valid UTF-8 as literal text; the signature covers what it decoded.
    seen = {"MessageSid": message_sid, "From": SENDER, "To": HOTLINE, "Body": "bad %FF%FE bytes %D8\x00"}
    response = client.post("/twilio/sms", data=raw, content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": sign("http://localhost/twilio/sms", seen)})
    assert response.status_code == 200
    message = db_session.scalar(select(Message).where(Message.direction == Direction.INBOUND))
    assert message is not None and message.body == "bad %FF%FE bytes %D8\ufffd"  # NUL (PostgreSQL refuses it) replaced


def test_whatsapp_message_with_a_voice_note(client: FlaskClient, db_session: Session,
                                            twilio_api: FakeTwilioApi) -> None:
    form = _form("", sender="whatsapp:+8801712345678", To="whatsapp:+14155238886", ProfileName="Karim",
                 WaId="8801712345678", NumMedia="1", MediaContentType0="audio/ogg",
                 MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0")
    assert _send(client, form).status_code == 200
    message = db_session.scalar(select(Message).where(Message.direction == Direction.INBOUND))
    assert message is not None and message.contact.channel == "whatsapp"
    assert message.media == [{"url": form["MediaUrl0"], "content_type": "audio/ogg"}]
    assert "Karim" not in repr(db_session.scalar(select(Caller)).__dict__)
    [sent] = twilio_api.messages
    assert (sent.form["To"], sent.form["From"]) == ("whatsapp:+8801712345678", "whatsapp:+14155238886")


def test_stop_is_mirrored_without_a_second_reply_and_start_opts_back_in(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    assert _send(client, _form("STOP")).status_code == 200
    caller = db_session.scalar(select(Caller))
    assert caller is not None and caller.opted_out and caller.reply_address is None
    assert _send(client, _form("is the border open?")).status_code == 200
    assert twilio_api.requests == []
    assert _count(db_session, Report) == 1  # the question is kept; STOP itself is not a report
    assert _send(client, _form("START")).status_code == 200
    db_session.refresh(caller)
    assert not caller.opted_out and caller.reply_address is not None
    assert twilio_api.requests == []  # Twilio answers START itself


def test_help_keyword_in_dari_gets_the_help_text_in_dari(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    _send(client, _form("سلام، آیا سرحد استرالیا باز است؟", sender="+93701234567"))
    _send(client, _form("کمک", sender="+93701234567"))
    bodies = [r.form["Body"] for r in twilio_api.messages]
    assert bodies[-1] == replies.render("prs", replies.HELP)
    assert len(bodies) == 2


def test_language_keyword_changes_the_reply_language(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    _send(client, _form("Is the border open?", sender="+60123456789"))
    _send(client, _form("language tamil", sender="+60123456789"))
    assert twilio_api.messages[-1].form["Body"] == replies.render("ta", replies.LANGUAGE_SET)
    assert db_session.scalar(select(Caller.language)) == "ta"


def test_callback_request_is_a_report_and_is_acknowledged(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    _send(client, _form("call me back", sender="+447700900123"))
    contact = db_session.scalar(select(Contact))
    assert contact is not None and "callback_requested_at" in contact.state
    assert _count(db_session, Report) == 1
    kabul = "Sat-Wed 08:00-16:00"  # the office hours of the number texted
    assert twilio_api.messages[-1].form["Body"] == replies.render("en", replies.CALLBACK, hours=kabul)


def test_retries_server_errors_then_sends(client: FlaskClient, db_session: Session,
                                         twilio_api: FakeTwilioApi) -> None:
    twilio_api.fail_next(2)
    _send(client, _form("Is the border open?"))
    assert len(twilio_api.messages) == 3
    [reply] = _outbound(db_session)
    assert reply.provider_sid is not None and reply.status == "queued"


def test_gives_up_after_repeated_server_errors_and_marks_the_message_failed(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.fail_next(10)
    assert _send(client, _form("Is the border open?")).status_code == 200
    assert len(twilio_api.messages) == 4
    [reply] = _outbound(db_session)
    assert (reply.status, reply.provider_sid) == ("failed", None)
    assert _count(db_session, Report) == 1  # the caller's message is never lost to a sending failure


def test_no_write_lock_is_held_while_twilio_is_asked_to_send(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a transaction that writes holds the one write lock: a send must not keep every webhook waiting
    for Twilio (and its retries). A database of its own: the suite's rolled-back outer transaction holds the lock."""
    database = tmp_path / "lock.sqlite3"
    upgrade(f"sqlite:///{database}")
    app = make_app(database_url=f"sqlite:///{database}")
    writable: list[bool] = []
    real = outbound.call_with_retries

    def while_sending(send: Any, policy: Any, **kwargs: Any) -> Any:
        other = sqlite3.connect(database, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # waits at most 0.2 s for a writer to finish
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()
        return real(send, policy, **kwargs)

    monkeypatch.setattr(outbound, "call_with_retries", while_sending)
    with twilio_api_for(app) as fake:
        assert _send(app.test_client(), _form("Is the border open?")).status_code == 200
    assert writable == [True] and len(fake.messages) == 1
    with app.app_context(), job_session() as session:
        [reply] = _outbound(session)
        assert reply.provider_sid is not None and reply.status == "queued"


def test_error_21610_marks_the_caller_opted_out(client: FlaskClient, db_session: Session,
                                               twilio_api: FakeTwilioApi) -> None:
    twilio_api.reject_next(21610)
    _send(client, _form("Is the border open?"))
    assert len(twilio_api.messages) == 1  # a 4xx is not retried
    [reply] = _outbound(db_session)
    assert (reply.status, reply.error_code) == ("failed", 21610)
    caller = db_session.scalar(select(Caller))
    assert caller is not None and caller.opted_out


def test_status_callbacks_in_any_order_never_move_backwards(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    _send(client, _form("Is the border open?"))
    [reply] = _outbound(db_session)
    status_form = {"MessageSid": reply.provider_sid, "AccountSid": "AC0"}
    for status in ("delivered", "sent", "delivered", "queued", "sending"):
        response = signed_post(client, "/twilio/sms/status", {**status_form, "MessageStatus": status})
        assert response.status_code == 200
    db_session.refresh(reply)
    assert reply.status == "delivered"
    unknown = signed_post(client, "/twilio/sms/status", {"MessageSid": sid("SM"), "MessageStatus": "sent"})
    assert unknown.status_code == 200
    assert signed_post(client, "/twilio/sms/status", {"MessageStatus": "sent"}).status_code == 400


def test_status_callback_with_21610_opts_the_caller_out(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    _send(client, _form("Is the border open?"))
    [reply] = _outbound(db_session)
    signed_post(client, "/twilio/sms/status", {"MessageSid": reply.provider_sid, "MessageStatus": "undelivered",
                                               "ErrorCode": "21610"})
    db_session.refresh(reply)
    assert (reply.status, reply.error_code) == ("undelivered", 21610)
    assert db_session.scalar(select(Caller.opted_out)) is True




def test_a_long_bengali_text_delivered_in_two_parts_is_one_report_and_one_acknowledgement(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    first = ("দালাল বলছে নৌকা আগামী সপ্তাহে ছাড়বে এবং প্রত্যেকের দাম তিন হাজার ডলার, বাচ্চাদের অর্ধেক")[:67]
    second = "দাম, শুধু নগদ।"
    assert len(first) == 67  # one UCS-2 segment of a concatenated text
    for body in (first, second):
        assert _send(client, _form(body, sender="+8801712345678")).status_code == 200
    [report] = db_session.scalars(select(Report))
    assert report.text == first + second and report.language == "bn"
    assert _count(db_session, Message, Message.direction == Direction.INBOUND) == 2
    assert len(twilio_api.messages) == 1  # the acknowledgement of the conversation, once


def test_the_acknowledgement_gives_the_office_hours_of_the_number_texted(
    client: FlaskClient, twilio_api: FakeTwilioApi
) -> None:
    _send(client, _form("Is the border open?", sender="+447700900124", To="+94110000000"))  # Colombo
    body = twilio_api.messages[-1].form["Body"]
    assert "Mon-Fri 08:30-17:00" in body
    assert "every day" not in body
