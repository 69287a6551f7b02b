"""A real outage: gunicorn on PostgreSQL behind a TCP proxy that cuts the line mid-run, then restores it.

Signed calls and texts keep getting answers while PostgreSQL is unreachable; every worker process appends to the
host's one spool; when the database is back, a live request starts the background replay, and everything
received is in the database exactly once. Needs the suite on PostgreSQL.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.servers import start_gunicorn
from hotline.db import build_engine
from hotline.intake.constants import Direction
from hotline.intake.models import Contact, Message, Recording, Report
from hotline.ivr.simulate_cli import HttpTransport
from tests.databases import scratch_postgres_database
from tests.factories import TEST_SECRETS, sid, sign
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.twilio_api import FakeTwilioApi

ACCOUNT = "AC" + "0" * 32


@pytest.fixture()
def own_database(database_url: str) -> Iterator[str]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the gunicorn outage test cuts a PostgreSQL connection: run with HOTLINE_TEST_DATABASE=postgresql")
    with scratch_postgres_database(database_url, "outage") as own:
        yield own


def _readyz(base: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_gunicorn_rides_out_a_database_outage(own_database: str, tmp_path: Path) -> None:
    url = make_url(own_database)
    with FakeTwilioApi() as twilio, TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = {**TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": via_proxy,
               "HOTLINE_TWILIO_API_BASE": twilio.base_url, "HOTLINE_INSTANCE_PATH": str(tmp_path / "host")}
        server = start_gunicorn(env, tmp_path / "gunicorn.log", workers=2)
        web = HttpTransport(server.base_url)

        def post(path: str, form: dict[str, str]) -> tuple[int, str]:
            reply = web.post(path, form, {"X-Twilio-Signature": sign(server.base_url + path, form)})
            return reply.status, reply.body.decode()

        def sms(body: str, sender: str) -> dict[str, str]:
            return {"MessageSid": sid("SM"), "AccountSid": ACCOUNT, "From": sender, "To": "+93790000000",
                    "Body": body, "NumMedia": "0"}

        try:
            first = sms("Before the outage", "+8801812345678")
            assert post("/twilio/sms", first)[0] == 200
            proxy.down()
            texts = [sms(f"During the outage {i}", f"+92300123456{i}") for i in range(6)]
            answers = [post("/twilio/sms", form) for form in texts]
            assert all(status == 200 and "<Message>" in body for status, body in answers)
            call = {"CallSid": "CA" + "f" * 32, "From": "+93701234567", "To": "+93790000000", "AccountSid": ACCOUNT}
            status, twiml = post("/twilio/voice", call)
            assert status == 200 and "<Record" in twiml
            media = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'f' * 32}"
            recording = {**call, "RecordingSid": "RE" + "f" * 32, "RecordingDuration": "9", "RecordingUrl": media}
            assert post("/twilio/fallback?stage=recorded", recording)[0] == 200
            assert post("/twilio/voice/status", {**call, "CallStatus": "completed", "CallDuration": "30"})[0] == 204
            ready_status, ready = _readyz(server.base_url)
            assert ready_status == 503 and ready["spool_backlog"] == 9

            proxy.up()
            last = sms("After the outage", "+8801812345678")
            assert post("/twilio/sms", last)[0] == 200  # a live request on the mended database starts the replay
            deadline = time.monotonic() + 30
            caught_up = (200, {"status": "ok", "database": "ok", "spool_backlog": 0,
                               "sms_inbox": {"waiting": 0, "overdue": 0, "stuck": 0}})
            while time.monotonic() < deadline and _readyz(server.base_url) != caught_up:
                time.sleep(0.3)
                post("/twilio/sms/status", {"MessageSid": sid("SM"), "MessageStatus": "sent", "AccountSid": ACCOUNT})
            assert _readyz(server.base_url) == caught_up
        finally:
            server.stop()
        assert "Traceback" not in server.log.read_text()

    engine = build_engine(own_database)
    with Session(engine) as session:
        inbound = list(session.scalars(select(Message.provider_sid).where(Message.direction == Direction.INBOUND)))
        assert sorted(inbound) == sorted(f["MessageSid"] for f in [first, *texts, last])
        assert session.scalar(select(func.count()).select_from(Report)) == 9  # 8 texts and the voice message
        assert session.scalar(select(func.count()).select_from(Recording)) == 1
        contact = session.scalar(select(Contact).where(Contact.provider_id == call["CallSid"]))
        assert contact is not None and contact.status == "completed"
    engine.dispose()
