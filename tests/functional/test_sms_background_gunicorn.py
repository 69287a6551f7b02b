"""The embedded default under gunicorn: each worker process files the texts it received in a thread of its own."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.servers import start_gunicorn
from hotline.db import build_engine
from hotline.intake.constants import Direction
from hotline.intake.models import Message, Report
from hotline.ivr.simulate_cli import HttpTransport
from hotline.migrate import upgrade
from hotline.sms.models import InboxItem
from tests.factories import TEST_SECRETS, sid, sign
from tests.fakes.twilio_api import FakeTwilioApi

TEXTS = [("+923001234567", "کیا سرحد کھلی ہے؟"), ("+8801712345678", "সীমান্ত কি খোলা আছে?"),
         ("+93701234567", "Is the border to Australia open now?"), ("+66812345678", "ชายแดนเปิดไหม"),
         ("+60123456789", "Saya mahu bekerja di Malaysia, adakah ini benar?"), ("+9607712345", "Is the boat safe?")]


def _counts(session: Session) -> tuple[int, int, int]:
    return (int(session.scalar(select(func.count()).select_from(InboxItem)) or 0),
            int(session.scalar(select(func.count()).select_from(Report)) or 0),
            int(session.scalar(select(func.count()).select_from(Message)
                               .where(Message.direction == Direction.OUTBOUND)) or 0))


def test_texts_are_answered_then_filed_and_acknowledged_by_the_worker_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    upgrade(url)
    with FakeTwilioApi() as twilio:
        env = {**TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_SMS_FILING": "background",
               "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance"),
               "HOTLINE_TWILIO_API_BASE": twilio.base_url}
        server = start_gunicorn(env, tmp_path / "gunicorn.log")
        engine = build_engine(url)
        try:
            transport = HttpTransport(server.base_url)
            for sender, body in TEXTS:  # one connection per request: both workers get texts
                form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": sender,
                        "To": "+93790000000", "Body": body, "NumMedia": "0"}
                reply = transport.post("/twilio/sms", form,
                                       {"X-Twilio-Signature": sign(server.base_url + "/twilio/sms", form)})
                assert reply.status == 200, reply.body
            deadline = time.monotonic() + 60
            with Session(engine) as session:
                counts = _counts(session)
            while counts != (0, len(TEXTS), len(TEXTS)) and time.monotonic() < deadline:
                time.sleep(0.1)
                with Session(engine) as session:
                    counts = _counts(session)
            assert counts == (0, len(TEXTS), len(TEXTS))  # inbox empty, every text filed and acknowledged
        finally:
            server.stop()
            engine.dispose()
        assert sorted(urllib.parse.unquote(m.form["To"]) for m in twilio.messages) == sorted(s for s, _ in TEXTS)
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
