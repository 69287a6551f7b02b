"""Database outage: signed calls and texts are answered, spooled (sealed, fsync'ed) and replayed exactly once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from hotline.classify.service import forget_rumour_indexes
from hotline.cli import cli
from hotline.db import build_engine
from hotline.extensions import db
from hotline.intake.constants import Direction, MessageStatus
from hotline.intake.models import Contact, Message, Recording, Report
from hotline.spool.runtime import app_spool
from tests.factories import sid, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

DEAD_URL = "postgresql://postgres@127.0.0.1:1/nowhere"
CALLER = "+93701234567"
TEXTER = "+923001234567"
HOTLINE = "+93790000000"
ACCOUNT = "AC" + "0" * 32


@contextmanager
def _outage_app(make_app: Callable[..., Flask], database_url: str) -> Iterator[tuple[Flask, Connection]]:
    """An app whose database is down until ``comeback`` is bound; everything is rolled back afterwards."""
    app = make_app(HOTLINE_SPOOL_AUTO_REPLAY="inline")
    real = build_engine(database_url)
    connection = real.connect()
    outer = connection.begin()
    dead = build_engine(DEAD_URL)
    try:
        with app.app_context():
            db.bind(dead, app)
        yield app, connection
    finally:
        outer.rollback()
        connection.close()
        dead.dispose()
        real.dispose()
        forget_rumour_indexes()  # candidates made from its texts were rolled back under the process's index


def _go_down(app: Flask) -> None:
    with app.app_context():
        db.bind(build_engine(DEAD_URL), app)


def _comeback(app: Flask, connection: Connection) -> None:
    with app.app_context():
        db.bind(connection, app)


def _count(session: Session, model: type, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _sms(body: str, sender: str = TEXTER) -> dict[str, str]:
    return {"MessageSid": sid("SM"), "AccountSid": ACCOUNT, "From": sender, "To": HOTLINE, "Body": body,
            "NumMedia": "0"}


@pytest.fixture()
def fake_twilio(make_app: Callable[..., Flask]) -> Iterator[Callable[[Flask], FakeTwilioApi]]:
    stack: list[Any] = []

    def point(app: Flask) -> FakeTwilioApi:
        manager = twilio_api_for(app)
        stack.append(manager)
        return manager.__enter__()

    yield point
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


def test_calls_and_texts_during_an_outage_are_answered_spooled_and_replayed_exactly_once(
    make_app: Callable[..., Flask], database_url: str, fake_twilio: Callable[[Flask], FakeTwilioApi]
) -> None:
    with _outage_app(make_app, database_url) as (app, connection):
        twilio = fake_twilio(app)
        client = app.test_client()
        _comeback(app, connection)  # up at first: a text is stored as usual ...
        before = _sms("Before the outage", sender="+8801812345678")
        assert signed_post(client, "/twilio/sms", before).status_code == 200
        peek = Session(bind=connection, join_transaction_mode="create_savepoint")
        ack_sid = peek.scalar(select(Message.provider_sid).where(Message.direction == Direction.OUTBOUND))
        peek.close()
        assert ack_sid
        _go_down(app)  # ... then the database goes away mid-run
        delivered = {"MessageSid": ack_sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT}
        assert signed_post(client, "/twilio/sms/status", delivered).status_code == 200
        call = {"CallSid": "CA" + "c" * 32, "From": CALLER, "To": HOTLINE, "AccountSid": ACCOUNT}
        answer = signed_post(client, "/twilio/voice", call)
        assert answer.status_code == 200
        twiml = answer.get_data(as_text=True)
        assert "<Record" in twiml and "/twilio/fallback?stage=recorded" in twiml and "<Hangup" in twiml
        # The transparency notice, even with no database: spoken, or played as the caller language's recording
        # (or synthesised stand-in, present once `hotline ivr audio` has run).
        assert "free and confidential" in twiml or re.search(r"<Play>[^<]*/notice\.(wav|mp3)</Play>", twiml), twiml
        recording = {**call, "RecordingSid": "RE" + "d" * 32, "RecordingDuration": "7",
                     "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'d' * 32}"}
        thanks = signed_post(client, "/twilio/fallback?stage=recorded", recording)
        assert thanks.status_code == 200 and "<Hangup" in thanks.get_data(as_text=True)
        assert signed_post(client, "/twilio/fallback?stage=callback", recording).status_code == 204
        status = signed_post(client, "/twilio/voice/status", {**call, "CallStatus": "completed", "CallDuration": "40"})
        assert status.status_code == 204
        texts = [_sms("Is the border open for families?"), _sms("I was told the boat is safe"), _sms("STOP")]
        acks = [signed_post(client, "/twilio/sms", form) for form in texts]
        assert all(r.status_code == 200 for r in acks)
        assert "<Message>" in acks[0].get_data(as_text=True) and "<Message>" not in acks[2].get_data(as_text=True)

        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json["spool_backlog"] == 8
        spool_bytes = b"".join(p.read_bytes() for p in Path(app_spool(app).directory).glob("*.log"))
        assert CALLER.encode() not in spool_bytes and TEXTER.encode() not in spool_bytes
        assert b"border" not in spool_bytes and len(twilio.messages) == 1  # the text before the outage

        _comeback(app, connection)
        after = _sms("And the visas?", sender="+8801712345678")
        assert signed_post(client, "/twilio/sms", after).status_code == 200  # a live request starts the replay
        assert client.get("/readyz").json == {"status": "ok", "database": "ok", "spool_backlog": 0,
                                              "sms_inbox": {"waiting": 0, "overdue": 0, "stuck": 0}}
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        for form in [*texts, after]:
            assert _count(session, Message, Message.provider_sid == form["MessageSid"]) == 1
        assert _count(session, Report, Report.source_id.in_([t["MessageSid"] for t in texts[:2]])) == 2
        contact = session.scalar(select(Contact).where(Contact.provider_id == call["CallSid"]))
        assert contact is not None and contact.status == "completed" and contact.state.get("degraded") is True
        stored = session.scalar(select(Recording).where(Recording.provider_sid == recording["RecordingSid"]))
        assert stored is not None and stored.duration_seconds == 7
        report = session.scalar(select(Report).where(Report.source_id == recording["RecordingSid"]))
        assert report is not None and report.type == "question" and report.caller_id == contact.caller_id
        # The texters' acknowledgement went out in the degraded answer: recorded as sent, never sent again.
        texter = session.scalar(select(Message.contact_id).where(Message.provider_sid == texts[0]["MessageSid"]))
        outbound = list(session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND,
                                                               Message.contact_id == texter)))
        assert len(outbound) == 1 and outbound[0].status == MessageStatus.SENT
        # only the live texts' acknowledgements
        assert sorted(m.form["To"] for m in twilio.messages) == sorted([before["From"], after["From"]])

        ack = session.scalar(select(Message).where(Message.provider_sid == ack_sid))
        assert ack is not None and ack.status == MessageStatus.DELIVERED  # the spooled status callback, applied
        runner = app.test_cli_runner()
        again = runner.invoke(cli, args=["spool", "replay"])
        assert again.exit_code == 0 and "0 applied" in again.output
        assert _count(session, Report) == 5 and _count(session, Message, Message.direction == Direction.INBOUND) == 5
        session.close()


def test_a_record_replayed_twice_is_stored_once(make_app: Callable[..., Flask], database_url: str,
                                                fake_twilio: Callable[[Flask], FakeTwilioApi]) -> None:
    with _outage_app(make_app, database_url) as (app, connection):
        fake_twilio(app)
        form = _sms("Is it true the border opens in March?")
        signed_post(app.test_client(), "/twilio/sms", form)
        spool = app_spool(app)
        line = (spool.directory / "incoming.log").read_bytes()
        _comeback(app, connection)
        with app.app_context():
            from hotline.spool.replay import apply_line, replay

            assert replay(spool).applied == 1
            apply_line(spool, line)  # as if a crash had lost the cursor after the commit
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        assert _count(session, Message, Message.provider_sid == form["MessageSid"]) == 1
        assert _count(session, Report, Report.source_id == form["MessageSid"]) == 1
        session.close()


def test_the_fallback_url_needs_a_signature_and_no_database(make_app: Callable[..., Flask], database_url: str) -> None:
    with _outage_app(make_app, database_url) as (app, _connection):
        client = app.test_client()
        call = {"CallSid": "CA" + "e" * 32, "From": "+66812345678", "To": HOTLINE, "AccountSid": ACCOUNT}
        assert client.post("/twilio/fallback", data=call).status_code == 403
        thai = signed_post(client, "/twilio/fallback", {**call, "ErrorCode": "11200"})
        assert thai.status_code == 200 and 'language="th-TH"' in thai.get_data(as_text=True)
        unknown = signed_post(client, "/twilio/fallback", {**call, "From": "+14155550100"})
        assert unknown.status_code == 200 and "<Record" in unknown.get_data(as_text=True)
        sms = signed_post(client, "/twilio/fallback", _sms("Boleh saya kerja di Malaysia?", "+6281234567890"))
        assert sms.status_code == 200 and "<Message>" in sms.get_data(as_text=True)
        assert signed_post(client, "/twilio/fallback", {"Foo": "bar"}).status_code == 400
        assert app_spool(app).backlog() == 3


def test_a_flood_from_one_number_is_rate_limited_and_nothing_is_lost(
    make_app: Callable[..., Flask], database_url: str, fake_twilio: Callable[[Flask], FakeTwilioApi]
) -> None:
    """Live, texts beyond the per-caller limit are stored and flagged, not answered; degraded, they are all
    spooled and only the first ones are acknowledged; after the replay every one is stored once."""
    with _outage_app(make_app, database_url) as (app, connection):
        twilio = fake_twilio(app)
        client = app.test_client()
        limit = 20  # config/sms_keywords.yaml: per_caller count
        degraded = [signed_post(client, "/twilio/sms", _sms(f"spam {i}", "+923009999999")) for i in range(limit + 5)]
        acked = sum("<Message>" in r.get_data(as_text=True) for r in degraded)
        assert all(r.status_code == 200 for r in degraded) and acked == limit
        _comeback(app, connection)
        live = [signed_post(client, "/twilio/sms", _sms(f"more spam {i}", "+923009999999")) for i in range(5)]
        assert all(r.status_code == 200 for r in live)
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        inbound = _count(session, Message, Message.direction == Direction.INBOUND)
        assert inbound == limit + 10 and app_spool(app).backlog() == 0
        from hotline.sms.models import MessageFlag

        assert _count(session, MessageFlag) == 10  # everything beyond the limit, kept and flagged
        assert len(twilio.messages) <= 1  # never a reply per spam message
        session.close()


def test_a_burst_of_webhooks_looks_at_the_spool_folder_once_a_second(
        make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    """In production (replay in a thread) the spool's stat calls run at most once a second per process, not per
    request; a backlog found then is replayed in the background."""
    from hotline.spool import views
    from hotline.spool.store import Spool

    app = make_app(HOTLINE_SPOOL_AUTO_REPLAY="thread")
    looks: list[float] = []
    clock = [1000.0]
    monkeypatch.setattr(Spool, "has_backlog", lambda self: looks.append(clock[0]) or False)
    monkeypatch.setattr(views.time, "monotonic", lambda: clock[0])
    client = app.test_client()

    def status() -> int:
        form = {"MessageSid": sid("SM"), "MessageStatus": "delivered", "AccountSid": ACCOUNT}
        return int(signed_post(client, "/twilio/sms/status", form).status_code)

    assert [status() for _ in range(5)] == [200] * 5 and looks == [1000.0]
    clock[0] += 0.9
    assert status() == 200 and looks == [1000.0]
    clock[0] += 0.2
    assert status() == 200 and looks == [1000.0, 1001.1]
