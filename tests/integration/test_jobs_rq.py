"""Jobs: in-process by default; RQ on the real Redis (127.0.0.1:6379) with a queue of this suite's own."""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.classify.jobs import classify_new_report
from hotline.intake.constants import Direction
from hotline.intake.models import Message, Report
from hotline.jobs import (
    BATCH_SIZE,
    InProcessQueue,
    RQQueue,
    job_name,
    job_queue,
    jobs_together,
    run_job,
    run_jobs,
    set_job_queue,
)
from hotline.jobs.cli import jobs_group
from hotline.sms.outbound import send_message
from tests.factories import sid, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        yield fake


@pytest.fixture()
def rq_queue(app: Flask) -> Iterator[RQQueue]:
    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    queue = RQQueue(REDIS_URL, f"hotline-test-sms-{uuid.uuid4().hex[:12]}")
    set_job_queue(app, queue)
    yield queue
    set_job_queue(app, None)
    queue.queue.delete(delete_jobs=True)
    for key in queue.connection.scan_iter(f"*{queue.queue.name}*"):  # registries and the worker's own keys
        queue.connection.delete(key)
    queue.connection.close()


def test_without_redis_jobs_run_in_process(app: Flask) -> None:
    assert app.config["HOTLINE"].redis_url is None
    assert isinstance(job_queue(app), InProcessQueue)


def test_only_hotline_functions_can_be_jobs(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="hotline package"):
        run_job("os.system", "true")
    # A job is queued as the function itself; only a module-level function of ours has a name a worker can find.
    assert job_name(send_message) == "hotline.sms.outbound.send_message"
    for not_a_job in (os.system, lambda: None, RQQueue.enqueue):
        with pytest.raises(ValueError, match="module-level functions of the hotline package"):
            job_name(not_a_job)
        with app.app_context(), pytest.raises(ValueError):
            InProcessQueue().enqueue(not_a_job)


def test_a_text_waits_in_redis_until_the_worker_files_it_and_sends_the_reply(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, rq_queue: RQQueue
) -> None:
    form = {"MessageSid": sid("SM"), "From": "+8801712345678", "To": "+93790000000", "Body": "সীমান্ত কি খোলা আছে?"}
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    # The webhook only put the text in the inbox: filing it is the worker's job, enqueued after the commit by a
    # thread of this process within a few milliseconds (perhaps with the app's once-a-minute sweep of the inbox for
    # texts whose job was lost).
    drain, deadline = "hotline.sms.inbox.drain_inbox", time.monotonic() + 5
    while drain not in (jobs := [job.args[0] for job in rq_queue.queue.get_jobs()]) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert jobs.count(drain) == 1
    assert set(jobs) - {drain} <= {"hotline.sms.inbox.file_waiting_job"}
    assert db_session.scalar(select(Message)) is None

    worker = SimpleWorker([rq_queue.queue], connection=rq_queue.connection,
                          name=f"{rq_queue.queue.name}-worker")
    assert worker.work(burst=True)  # files the text, which queues classifying it and sending the acknowledgement
    assert rq_queue.queue.count == 0
    report = db_session.scalar(select(Report))
    assert report is not None
    db_session.refresh(report)
    assert report.classifier_version is not None
    [sent] = twilio_api.messages
    assert sent.form["To"] == "+8801712345678"
    reply = db_session.scalar(select(Message).where(Message.direction == Direction.OUTBOUND))
    assert reply is not None and reply.provider_sid is not None

    # A duplicated job (an RQ retry, a replay) sends nothing twice.
    rq_queue.enqueue(send_message, reply.id)
    worker.work(burst=True)
    assert len(twilio_api.messages) == 1


def test_jobs_queued_together_reach_redis_in_one_go_when_the_block_ends(app: Flask, rq_queue: RQQueue) -> None:
    send = "hotline.sms.outbound.send_message"  # the name RQ stores for the function
    with app.app_context():
        with jobs_together():
            rq_queue.enqueue(send_message, 1)
            rq_queue.enqueue(send_message, 2)
            assert rq_queue.queue.count == 0
        assert [tuple(job.args) for job in rq_queue.queue.get_jobs()] == [(send, 1), (send, 2)]
        rq_queue.enqueue(send_message, 3)  # outside the block: at once
        assert rq_queue.queue.count == 3


def test_calls_of_a_batchable_job_queued_together_reach_redis_as_batches(app: Flask, rq_queue: RQQueue) -> None:
    with app.app_context():
        with jobs_together():
            for report_id in range(1, BATCH_SIZE + 6):
                rq_queue.enqueue(classify_new_report, report_id)
            rq_queue.enqueue(send_message, 7)  # waits on Twilio: never batched, each send its own job
        jobs = rq_queue.queue.get_jobs()
    classify = job_name(classify_new_report)
    assert [(job.func_name, job.args[0]) for job in jobs] == [
        ("hotline.jobs.run_job", job_name(send_message)), ("hotline.jobs.run_jobs", classify),
        ("hotline.jobs.run_jobs", classify)]
    assert [len(job.args[1]) for job in jobs[1:]] == [BATCH_SIZE, 5]
    assert [tuple(call) for job in jobs[1:] for call in job.args[1]] == [(n,) for n in range(1, BATCH_SIZE + 6)]


def test_a_batch_runs_every_call_and_then_fails_with_the_first_failure(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[int] = []

    def classify(report_id: int) -> None:
        ran.append(report_id)
        if report_id in (2, 4):
            raise LookupError(f"report {report_id} quoted a caller")

    monkeypatch.setattr("hotline.classify.jobs.classify_new_report", classify)
    with app.app_context(), pytest.raises(LookupError, match="report 2"):
        run_jobs(job_name(classify_new_report), [(1,), (2,), (3,), (4,), (5,)])
    assert ran == [1, 2, 3, 4, 5]
    failures = [record for record in caplog.records if record.getMessage().startswith("a job of a batch failed")]
    assert [getattr(record, "error", None) for record in failures] == ["LookupError", "LookupError"]
    assert not any("quoted a caller" in record.getMessage() for record in caplog.records)


def test_only_a_batchable_job_runs_as_a_batch(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="not a batchable job"):
        run_jobs(job_name(send_message), [(1,)])


def test_the_worker_command_needs_redis(app: Flask, runner: Any) -> None:
    result = runner.invoke(jobs_group, ["worker", "--burst"])
    assert result.exit_code != 0
    assert "HOTLINE_REDIS_URL is not set" in result.output


def test_the_worker_command_runs_a_burst(app: Flask, runner: Any, db_session: Session, rq_queue: RQQueue) -> None:
    settings = app.config["HOTLINE"]
    app.config["HOTLINE"] = dataclasses.replace(settings, redis_url=REDIS_URL)
    try:
        rq_queue.enqueue(send_message, 0)  # no such message: the job does nothing
        result = runner.invoke(jobs_group, ["worker", "--burst", "--queue", rq_queue.queue.name])
    finally:
        app.config["HOTLINE"] = settings
    assert result.exit_code == 0, result.output
    assert rq_queue.queue.count == 0
