"""Scale-out: two gunicorn instances sharing PostgreSQL and Redis behave as one machine.

One signed call whose webhooks alternate between the two servers, signed texts spread over both, replies sent
by an RQ worker (`hotline jobs worker`) to a local fake of Twilio's API. Signatures are computed for the public
URL both servers share (HOTLINE_PUBLIC_URL), as behind a load balancer. Needs the suite on PostgreSQL and Redis.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.servers import ROOT, Server, start_gunicorn
from hotline.db import build_engine
from hotline.intake.constants import Direction
from hotline.intake.models import Contact, Message, Recording, Report
from hotline.ivr.simulate_cli import HttpTransport
from hotline.ivr.simulator import CallSimulator, Recorded, Reply
from tests.databases import scratch_postgres_database
from tests.factories import TEST_AUTH_TOKEN, TEST_SECRETS, sid, sign
from tests.fakes.twilio_api import FakeTwilioApi

PUBLIC_URL = "https://hotline.example.org"
REDIS_URL = "redis://127.0.0.1:6379/0"


class RoundRobin:
    """A load balancer in miniature: each request goes to the next server."""

    def __init__(self, servers: list[Server]):
        self.transports = cycle([HttpTransport(s.base_url) for s in servers])
        self.sent = 0

    def post(self, path: str, data: dict[str, str], headers: dict[str, str]) -> Reply:
        self.sent += 1
        return next(self.transports).post(path, data, headers)

    def get(self, path: str) -> Reply:
        return next(self.transports).get(path)


@pytest.fixture()
def shared_database(database_url: str) -> Iterator[str]:
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out shares PostgreSQL: run with HOTLINE_TEST_DATABASE=postgresql")
    with scratch_postgres_database(database_url, "scale") as own:
        yield own


@pytest.fixture()
def redis_queue() -> Iterator[str]:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    name = f"hotline-test-scale-{uuid.uuid4().hex[:12]}"
    yield name
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)
    connection.close()


def test_two_servers_sharing_postgresql_and_redis_work_as_one(shared_database: str, redis_queue: str,
                                                             tmp_path: Path) -> None:
    with FakeTwilioApi() as twilio:
        env = {**TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": shared_database,
               "HOTLINE_REDIS_URL": REDIS_URL, "HOTLINE_TEST_RQ_QUEUE": redis_queue,
               "HOTLINE_TWILIO_API_BASE": twilio.base_url, "HOTLINE_PUBLIC_URL": PUBLIC_URL}
        servers: list[Server] = []
        try:
            for host in ("a", "b"):  # each host has its own instance folder: its own spool on local disk
                servers.append(start_gunicorn({**env, "HOTLINE_INSTANCE_PATH": str(tmp_path / host)},
                                              tmp_path / f"{host}.log", app="bench.wsgi_queue:app"))
            balancer = RoundRobin(servers)
            phone = CallSimulator(balancer, TEST_AUTH_TOKEN, PUBLIC_URL)
            call = phone.call(["1", "7", "2", Recorded(duration=12), "", "", ""], caller="+93701234567",
                              dialled="+93790000000")
            assert balancer.sent >= 5  # the call's webhooks went to both servers in turn
            texts = [("+923001234567", "Is the border to Australia open now?"),
                     ("+8801712345678", "A man says the boat is safe and costs 3000 dollars"),
                     ("+923001234567", "And can my children come later?")]
            for index, (sender, body) in enumerate(texts):
                form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": sender,
                        "To": "+93790000000", "Body": body, "NumMedia": "0"}
                target = servers[index % 2]
                signature = sign(PUBLIC_URL + "/twilio/sms", form)
                reply = HttpTransport(target.base_url).post("/twilio/sms", form, {"X-Twilio-Signature": signature})
                assert reply.status == 200, reply.body
            assert twilio.messages == []  # the replies wait in Redis for a worker
            worker = subprocess.run(
                [str(Path(sys.executable).with_name("hotline")), "jobs", "worker", "--queue", redis_queue, "--burst"],
                cwd=ROOT, env={**_environ(), **env, "HOTLINE_INSTANCE_PATH": str(tmp_path / "worker")},
                capture_output=True, text=True, timeout=120, check=False)
            assert worker.returncode == 0, worker.stderr[-3000:]
        finally:
            for server in servers:
                server.stop()
        acknowledged = sorted(urllib.parse.unquote(m.form["To"]) for m in twilio.messages)
        assert acknowledged == ["+8801712345678", "+923001234567"]  # one acknowledgement per new conversation

    engine = build_engine(shared_database)
    with Session(engine) as session:
        contact = session.scalar(select(Contact).where(Contact.provider_id == call.call_sid))
        assert contact is not None and contact.status == "completed" and contact.ended_at is not None
        assert session.scalar(select(func.count()).select_from(Recording)) == 1
        kinds = sorted(session.scalars(select(Report.channel)))
        assert kinds == ["sms", "sms", "sms", "voice"]
        outbound = list(session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND)))
        assert len(outbound) == 2 and all(m.provider_sid for m in outbound)
        assert session.scalar(select(func.count()).select_from(Contact).where(Contact.channel == "sms")) == 2
    engine.dispose()


def _environ() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("HOTLINE_TEST_DATABASE")}
