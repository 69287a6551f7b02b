"""Without Redis, outside tests, a thread of the web process files texts: the webhook only stores them sealed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.constants import Direction
from hotline.intake.models import Message, Report
from hotline.jobs.background import stop_all
from hotline.migrate import upgrade
from hotline.privacy.sealed_records import SMS_INBOUND, encode, make_record
from hotline.sms.models import InboxItem
from hotline.sms.runtime import inbox_filing
from tests.databases import scratch_postgres_database
from tests.factories import sid, signed_post
from tests.fakes.twilio_api import FakeTwilioApi

SENDERS = ("+923001234567", "+93701234567", "+8801712345678")
BODIES = ("کیا سرحد کھلی ہے؟", "Is the border open this season?", "সীমান্ত কি খোলা আছে?")


@pytest.fixture()
def filing_app(database_url: str, make_app: Callable[..., Flask],
               tmp_path: Path) -> Iterator[tuple[Flask, FakeTwilioApi]]:
    """An app on a database of its own, of the suite's kind (the thread commits, so nothing can be rolled back after
    the test)."""
    with ExitStack() as stack:
        if database_url.startswith("postgresql"):
            url = stack.enter_context(scratch_postgres_database(database_url, "background"))
        else:
            url = f"sqlite:///{tmp_path / 'background.sqlite3'}"
            upgrade(url)
        fake = stack.enter_context(FakeTwilioApi())
        app = make_app(database_url=url, HOTLINE_SMS_FILING="background", HOTLINE_TWILIO_API_BASE=fake.base_url)
        yield app, fake
        stop_all(app)


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        session = db.new_session(read_only=True)
        try:
            return (int(session.scalar(select(func.count()).select_from(InboxItem)) or 0),
                    int(session.scalar(select(func.count()).select_from(Report)) or 0),
                    int(session.scalar(select(func.count()).select_from(Message)
                                       .where(Message.direction == Direction.OUTBOUND)) or 0))
        finally:
            session.close()


def _until_filed(app: Flask, reports: int, seconds: float = 20.0) -> tuple[int, int, int]:
    deadline = time.monotonic() + seconds
    counts = _counts(app)
    while (counts[0] or counts[1] < reports) and time.monotonic() < deadline:
        time.sleep(0.05)
        counts = _counts(app)
    return counts


def test_filing_is_chosen_from_the_settings_and_the_job_queue(make_app: Callable[..., Flask]) -> None:
    assert inbox_filing(make_app()) == "request"  # tests file in the request unless told otherwise
    assert inbox_filing(make_app(HOTLINE_SMS_FILING="background")) == "background"
    assert inbox_filing(make_app(HOTLINE_REDIS_URL="redis://127.0.0.1:6379/15")) == "worker"


def test_each_text_is_answered_at_once_and_filed_and_acknowledged_by_the_thread(
    filing_app: tuple[Flask, FakeTwilioApi]
) -> None:
    app, fake = filing_app
    client = app.test_client()
    for sender, body in zip(SENDERS, BODIES, strict=True):
        form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": sender, "To": "+93790000000",
                "Body": body, "NumMedia": "0"}
        response = signed_post(client, "/twilio/sms", form)
        assert response.status_code == 200 and b"<Response" in response.data
    inbox_left, reports, acknowledged = _until_filed(app, len(SENDERS))
    assert (inbox_left, reports) == (0, len(SENDERS))
    assert acknowledged == len(SENDERS)  # a first text of each caller is acknowledged
    deadline = time.monotonic() + 10
    while len(fake.messages) < len(SENDERS) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(m.form["To"] for m in fake.messages) == sorted(SENDERS)


def test_a_text_goes_into_the_inbox_in_one_insert_that_commits_alone_on_postgresql(
    filing_app: tuple[Flask, FakeTwilioApi]
) -> None:
    app, _fake = filing_app
    with app.app_context():
        engine = db.engine
    inserts: list[str] = []

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO sms_inbox"):
            alone = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
            inserts.append("alone" if alone else "in a transaction")

    event.listen(engine, "before_cursor_execute", before)
    try:
        form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": SENDERS[1], "To": "+93790000000",
                "Body": BODIES[1], "NumMedia": "0"}
        assert signed_post(app.test_client(), "/twilio/sms", form).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    # PostgreSQL: no BEGIN and COMMIT round trips around the one INSERT; SQLite: its one write transaction.
    assert inserts == ["alone" if engine.dialect.name == "postgresql" else "in a transaction"]
    assert _until_filed(app, 1)[:2] == (0, 1)  # committed, and the thread was told: it files the text
    with app.app_context():
        raw = [engine.raw_connection() for _ in range(max(1, engine.pool.checkedin()))]
        try:  # every pooled connection begins transactions again
            assert not any(getattr(r.driver_connection, "autocommit", False) for r in raw)
        finally:
            for r in raw:
                r.close()


def test_a_replayed_text_is_filed_once(filing_app: tuple[Flask, FakeTwilioApi]) -> None:
    app, _fake = filing_app
    client = app.test_client()
    form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": SENDERS[0], "To": "+93790000000",
            "Body": BODIES[0], "NumMedia": "0"}
    for _ in range(3):  # Twilio retries: before, while and after the thread files it
        assert signed_post(client, "/twilio/sms", form).status_code == 200
    assert _until_filed(app, 1)[:2] == (0, 1)
    time.sleep(0.2)
    assert _counts(app)[1] == 1


def test_an_unsigned_text_is_refused_and_nothing_is_stored(filing_app: tuple[Flask, FakeTwilioApi]) -> None:
    app, _fake = filing_app
    form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": SENDERS[0], "To": "+93790000000",
            "Body": BODIES[0], "NumMedia": "0"}
    assert app.test_client().post("/twilio/sms", data=form).status_code == 403
    time.sleep(0.2)
    assert _counts(app) == (0, 0, 0)


def test_a_text_left_waiting_is_swept_by_the_thread_not_inside_a_request(
    filing_app: tuple[Flask, FakeTwilioApi], caplog: pytest.LogCaptureFixture
) -> None:
    app, _fake = filing_app
    old = utcnow() - timedelta(minutes=5)  # e.g. a process stopped before filing it
    form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": SENDERS[1], "To": "+93790000000",
            "Body": BODIES[1], "NumMedia": "0"}
    with app.app_context():
        session = db.new_session()
        sealed = encode(runtime().keys, make_record(SMS_INBOUND, form, old)).decode("ascii").rstrip("\n")
        session.add(InboxItem(provider_sid=form["MessageSid"], received_at=old, sealed=sealed, attempts=1))
        session.commit()
        session.close()
    fresh = {**form, "MessageSid": sid("SM"), "From": SENDERS[0], "Body": BODIES[0]}
    assert signed_post(app.test_client(), "/twilio/sms", fresh).status_code == 200  # the first request sweeps
    assert _until_filed(app, 2)[:2] == (0, 2)
    deadline = time.monotonic() + 10  # the sweep logs once its loop is over, just after the row went

    def swept() -> list[str]:
        return [r.threadName for r in caplog.records if r.getMessage() == "inbox swept"]

    while not swept() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert swept() == ["hotline-sms-inbox-sweep"]


def test_a_new_web_process_warms_up_only_when_it_files_texts_itself(make_app: Callable[..., Flask]) -> None:
    from hotline.context import runtime
    from hotline.i18n import babel_identifier
    from hotline.jobs import add_warm_up
    from hotline.jobs.background import warm_up_soon
    from hotline.sms import hours

    embedded, queued = make_app(), make_app(HOTLINE_REDIS_URL="redis://127.0.0.1:6379/15")
    warmed: list[str] = []
    add_warm_up(embedded, lambda: warmed.append("embedded"))
    add_warm_up(queued, lambda: warmed.append("queued"))
    hours._day_names.cache_clear()
    thread = warm_up_soon(embedded)
    assert thread is not None
    thread.join(10)
    # the opening hours' day names too, in every language the hotline speaks: no acknowledgement reads them
    assert hours._day_names.cache_info().currsize == len({babel_identifier(code)
                                                           for code in runtime(embedded).languages.codes})
    assert warm_up_soon(queued) is None  # its worker warms up instead (`hotline jobs worker`)
    assert warm_up_soon(object()) is None  # another WSGI app (the benchmark's dispatcher)
    assert warmed == ["embedded"]
