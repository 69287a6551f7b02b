"""The SMS inbox: the webhook stores the message sealed and answers; a job files it, exactly once, or keeps it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hotline.cli import cli
from hotline.intake.constants import Direction
from hotline.intake.models import Message, Report
from hotline.jobs import Job, set_job_queue
from hotline.sms import inbox
from hotline.sms.models import InboxItem
from tests.factories import sid, signed_post

SENDER = "+923001234567"
BODY = "کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے"


class HeldJobs:
    """A queue that keeps jobs instead of running them, as RQ does until a worker picks them up."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Job, tuple[Any, ...]]] = []
        self.waiting: set[str] = set()

    def enqueue(self, job: Job, *args: Any) -> None:
        self.jobs.append((job, args))

    def enqueue_once(self, key: str, job: Job, *args: Any) -> None:
        if key not in self.waiting:
            self.waiting.add(key)
            self.enqueue(job, *args)

    def started(self, key: str) -> None:
        self.waiting.discard(key)

    def of(self, job: Job) -> list[tuple[Any, ...]]:
        return [args for queued, args in self.jobs if queued is job]


@pytest.fixture()
def held(app: Flask) -> Iterator[HeldJobs]:
    queue = HeldJobs()
    set_job_queue(app, queue)
    yield queue
    set_job_queue(app, None)


def _form(body: str = BODY, message_sid: str | None = None) -> dict[str, str]:
    return {"MessageSid": message_sid or sid("SM"), "AccountSid": "AC" + "0" * 32, "From": SENDER,
            "To": "+93790000000", "Body": body, "NumMedia": "0"}


def _count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_webhook_only_stores_the_message_sealed_and_queues_its_filing(
    client: FlaskClient, db_session: Session, held: HeldJobs
) -> None:
    form = _form()
    response = signed_post(client, "/twilio/sms", form)
    assert response.status_code == 200 and b"<Response" in response.data
    [item] = db_session.scalars(select(InboxItem))
    assert item.provider_sid == form["MessageSid"] and item.attempts == 0
    # Neither the number nor the words are readable in the row.
    assert SENDER not in item.sealed and "923001234567" not in item.sealed and "سرحد" not in item.sealed
    assert held.of(inbox.drain_inbox) == [()]
    assert _count(db_session, Message) == 0  # filing is the job's work


def test_a_retried_webhook_waiting_in_the_inbox_is_stored_once(
    client: FlaskClient, db_session: Session, held: HeldJobs
) -> None:
    form = _form()
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    assert _count(db_session, InboxItem) == 1


def test_one_drain_job_waits_for_a_flood_and_files_it_in_order_of_arrival(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs
) -> None:
    bodies = [f"{BODY} {n}" for n in range(5)]
    for body in bodies:
        assert signed_post(client, "/twilio/sms", _form(body)).status_code == 200
    assert held.of(inbox.drain_inbox) == [()]  # queued once while it waits
    with app.app_context():
        assert inbox.drain_inbox() == 5
    db_session.expire_all()
    inbound = db_session.scalars(select(Message.body).where(Message.direction == Direction.INBOUND)
                                 .order_by(Message.id))
    assert list(inbound) == bodies
    assert _count(db_session, InboxItem) == 0
    # Once the drain has started, the next text queues the next drain.
    signed_post(client, "/twilio/sms", _form("Is the border open?"))
    assert held.of(inbox.drain_inbox) == [(), ()]


def test_the_job_files_the_message_at_its_arrival_time_and_empties_the_inbox_once(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs
) -> None:
    form = _form()
    signed_post(client, "/twilio/sms", form)
    item = db_session.scalars(select(InboxItem)).one()
    arrived = item.received_at
    with app.app_context():
        assert inbox.drain_inbox() == 1
        inbox.file_inbound(item.id)  # a duplicated job finds nothing to do
        assert inbox.drain_inbox() == 0
    db_session.expire_all()
    assert _count(db_session, InboxItem) == 0
    message = db_session.scalars(select(Message).where(Message.direction == Direction.INBOUND)).one()
    assert message.provider_sid == form["MessageSid"] and message.created_at == arrived
    report = db_session.scalars(select(Report)).one()
    assert report.language == "ur" and report.received_at == arrived
    # The acknowledgement is queued by the filing job, once.
    assert _count(db_session, Message, Message.direction == Direction.OUTBOUND) == 1


def test_a_message_filed_before_is_not_filed_twice_when_twilio_retries_later(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs
) -> None:
    form = _form()
    for _ in range(2):  # the second delivery arrives after the first was filed and left the inbox
        signed_post(client, "/twilio/sms", form)
        with app.app_context():
            assert inbox.drain_inbox() == 1
    db_session.expire_all()
    assert _count(db_session, Message, Message.direction == Direction.INBOUND) == 1
    assert _count(db_session, Report) == 1
    assert _count(db_session, InboxItem) == 0


def test_a_failing_filing_keeps_the_message_counts_the_failure_and_logs_no_caller_text(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    signed_post(client, "/twilio/sms", _form())
    item_id = db_session.scalars(select(InboxItem.id)).one()

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError(f"classifier exploded on {BODY} from {SENDER}")

    monkeypatch.setattr(inbox, "handle_inbound", broken)
    with caplog.at_level(logging.ERROR, logger="hotline.sms"), app.app_context():
        assert inbox.drain_inbox() == 1  # tried once: a failure is left to the sweep
        assert inbox.drain_inbox() == 0
        for _ in range(inbox.MAX_ATTEMPTS - 1):
            inbox.file_inbound(item_id)  # never raises: the row waits
    db_session.expire_all()
    item = db_session.get(InboxItem, item_id)
    assert item is not None and item.attempts == inbox.MAX_ATTEMPTS and item.last_error == "RuntimeError"
    assert _count(db_session, Message) == 0
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors and all(getattr(record, "error", None) == "RuntimeError" for record in errors)
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in errors)
    assert BODY not in logged and SENDER not in logged
    state = inbox.inbox_state(db_session, item.received_at)
    assert (state.waiting, state.stuck) == (1, 1)
    # A message that failed this often is left for a person, not retried for ever.
    assert inbox.waiting_ids(db_session, item.received_at + timedelta(hours=1)) == []


def test_without_a_job_queue_the_webhook_files_its_text_itself_and_the_inbox_stays_empty(
    client: FlaskClient, db_session: Session
) -> None:
    form = _form()
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    assert _count(db_session, Message, Message.provider_sid == form["MessageSid"]) == 1
    assert _count(db_session, Report) == 1 and _count(db_session, InboxItem) == 0
    assert signed_post(client, "/twilio/sms", form).status_code == 200  # Twilio retries: still stored once
    assert _count(db_session, Message, Message.direction == Direction.INBOUND) == 1


def test_without_a_job_queue_a_text_that_cannot_be_filed_waits_in_the_inbox_and_nothing_half_written_stays(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = inbox.handle_inbound

    def broken(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)  # writes the caller, conversation, message and report, then fails
        raise RuntimeError(f"classifier exploded on {BODY} from {SENDER}")

    monkeypatch.setattr(inbox, "handle_inbound", broken)
    form = _form()
    with caplog.at_level(logging.ERROR, logger="hotline.sms"):
        assert signed_post(client, "/twilio/sms", form).status_code == 200
    assert _count(db_session, Message) == 0 and _count(db_session, Report) == 0
    [item] = db_session.scalars(select(InboxItem))
    # The drain that the inbox queues ran at once in-process, failed the same way and counted it.
    assert item.provider_sid == form["MessageSid"] and item.attempts == 1 and item.last_error == "RuntimeError"
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert BODY not in logged and SENDER not in logged
    monkeypatch.setattr(inbox, "handle_inbound", real)
    assert inbox.file_inbound(item.id)  # the sweep's retry files it once the fault is gone
    db_session.expire_all()
    assert _count(db_session, Message, Message.provider_sid == form["MessageSid"]) == 1
    assert _count(db_session, InboxItem) == 0


def test_one_text_that_cannot_be_filed_costs_the_others_in_its_group_nothing(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = [_form(body) for body in ("one", "two", "three")]
    for form in forms:
        signed_post(client, "/twilio/sms", form)
    real = inbox.handle_inbound

    def fails_on_two(session: Session, form: Any, *args: Any) -> Any:
        if form.get("Body") == "two":
            raise RuntimeError("cannot file this one")
        return real(session, form, *args)

    monkeypatch.setattr(inbox, "handle_inbound", fails_on_two)
    with app.app_context():
        assert inbox.drain_inbox() == 3
    db_session.expire_all()
    filed = set(db_session.scalars(select(Message.provider_sid).where(Message.direction == Direction.INBOUND)))
    assert filed == {forms[0]["MessageSid"], forms[2]["MessageSid"]}
    [item] = db_session.scalars(select(InboxItem))
    assert (item.provider_sid, item.attempts) == (forms[1]["MessageSid"], 1)


def test_the_sweep_files_messages_whose_job_was_lost(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs
) -> None:
    signed_post(client, "/twilio/sms", _form())
    signed_post(client, "/twilio/sms", _form("Is the border open?"))
    recent = signed_post(client, "/twilio/sms", _form("Saya mahu bekerja di Malaysia"))
    assert recent.status_code == 200
    items = list(db_session.scalars(select(InboxItem).order_by(InboxItem.id)))
    ids = [item.id for item in items]
    db_session.execute(update(InboxItem).where(InboxItem.id.in_(ids[:2]))
                       .values(received_at=items[0].received_at - timedelta(minutes=5)))
    db_session.commit()
    with app.app_context():
        assert inbox.file_waiting() == 2  # the last one is recent: its own job is still expected
    db_session.expire_all()
    assert list(db_session.scalars(select(InboxItem.id))) == ids[2:]
    assert _count(db_session, Message, Message.direction == Direction.INBOUND) == 2


class BrokenQueue(HeldJobs):
    """A queue whose Redis is down."""

    def enqueue(self, job: Job, *args: Any) -> None:
        raise ConnectionError("Redis is down")


def test_a_text_is_accepted_even_when_its_job_cannot_be_queued(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    set_job_queue(app, BrokenQueue())
    try:
        assert signed_post(client, "/twilio/sms", _form()).status_code == 200  # Twilio must not retry a stored text
    finally:
        set_job_queue(app, None)
    assert _count(db_session, InboxItem) == 1  # waits for the sweep


def test_an_outage_stops_the_drain_and_leaves_the_texts_waiting_uncounted(
    app: Flask, client: FlaskClient, db_session: Session, held: HeldJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    for body in ("one", "two"):
        signed_post(client, "/twilio/sms", _form(body))
    calls: list[int] = []

    def unreachable(_session: Session, item_id: int) -> None:
        calls.append(item_id)
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database unreachable"))

    monkeypatch.setattr(inbox, "_file", unreachable)
    with app.app_context():
        assert inbox.drain_inbox() == 1  # stopped at the first message
    assert len(calls) == 1
    db_session.expire_all()
    assert list(db_session.scalars(select(InboxItem.attempts))) == [0, 0]


def test_an_invalid_form_is_refused_and_nothing_waits(client: FlaskClient, db_session: Session, held: HeldJobs) -> None:
    form = _form()
    del form["MessageSid"]
    assert signed_post(client, "/twilio/sms", form).status_code == 400
    assert signed_post(client, "/twilio/sms", {**form, "MessageSid": "not-a-sid"}).status_code == 400
    assert _count(db_session, InboxItem) == 0 and held.jobs == []


def test_a_sweep_is_queued_at_most_once_a_minute(app: Flask, held: HeldJobs, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(inbox.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(inbox, "_last_sweep", {})
    with app.app_context():
        inbox.maybe_sweep(app)
        clock[0] += 30
        inbox.maybe_sweep(app)
        clock[0] += 31
        inbox.maybe_sweep(app)
    assert len(held.of(inbox.file_waiting_job)) == 2


def test_readyz_counts_what_waits_in_the_inbox(client: FlaskClient, db_session: Session, held: HeldJobs) -> None:
    signed_post(client, "/twilio/sms", _form())
    body = client.get("/readyz").get_json()
    assert body["sms_inbox"] == {"waiting": 1, "overdue": 0, "stuck": 0}


def _stuck(session: Session, item_id: int, received_at: datetime | None = None) -> None:
    values: dict[str, Any] = {"attempts": inbox.MAX_ATTEMPTS, "last_error": "RuntimeError"}
    if received_at is not None:
        values["received_at"] = received_at
    session.execute(update(InboxItem).where(InboxItem.id == item_id).values(**values))
    session.commit()


def test_retention_deletes_a_text_that_could_never_be_filed_when_its_words_would_go(
    client: FlaskClient, db_session: Session, held: HeldJobs, runner: FlaskCliRunner
) -> None:
    signed_post(client, "/twilio/sms", _form())
    signed_post(client, "/twilio/sms", _form("Is the border open?"))
    old, recent = db_session.scalars(select(InboxItem.id).order_by(InboxItem.id)).all()
    _stuck(db_session, old, datetime.now(UTC) - timedelta(days=400))
    result = runner.invoke(cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "unfiled texts: 1" in result.output
    db_session.expire_all()
    assert list(db_session.scalars(select(InboxItem.id))) == [recent]


def test_erasure_files_waiting_texts_first_and_discards_the_callers_unfileable_ones(
    client: FlaskClient, db_session: Session, held: HeldJobs, runner: FlaskCliRunner
) -> None:
    other = "+8801712345678"
    signed_post(client, "/twilio/sms", _form())  # waits: the caller's only text so far
    signed_post(client, "/twilio/sms", {**_form("Is the border open?"), "From": other})
    stuck_mine = signed_post(client, "/twilio/sms", _form("A second text that cannot be filed"))
    assert stuck_mine.status_code == 200
    ids = list(db_session.scalars(select(InboxItem.id).order_by(InboxItem.id)))
    _stuck(db_session, ids[2])
    result = runner.invoke(cli, ["erase", SENDER, "--yes"])
    assert result.exit_code == 0, result.output
    assert "inbox_messages 1" in result.output
    db_session.expire_all()
    assert list(db_session.scalars(select(InboxItem.id))) == []  # filed, erased or discarded: nothing waits
    bodies = list(db_session.scalars(select(Message.body).where(Message.direction == Direction.INBOUND)
                                     .order_by(Message.id)))
    assert bodies == [None, "Is the border open?"]  # the caller's filed text was erased; the other's kept
