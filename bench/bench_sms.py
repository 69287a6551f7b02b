"""Inbound SMS webhook throughput and latency, against a floor measured in the same run.

The floor is a bare Flask endpoint that does what any webhook must: read a form and insert one row (through
SQLAlchemy's ORM, with the app's engine settings) into the same database, committing once. The measured
endpoint is the real ``POST /twilio/sms``: signature check, schema parse, pseudonym + sealed reply address,
conversation grouping, language identification, flood counts, report, message and a queued acknowledgement.
Replies are enqueued but not sent (as with RQ, sending happens in a worker, not in the request). Both run
through Flask's test client in one process, so the network is left out.

    .venv/bin/python bench/bench_sms.py [--n 400] [--postgres postgresql://postgres@127.0.0.1:5432/bench_sms]

Target (issue 4): the webhook's throughput is at least 0.6 of the floor's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, request
from sqlalchemy import String, Text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for tests.databases

from hotline import create_app
from hotline.db import build_engine
from hotline.jobs import set_job_queue
from hotline.migrate import upgrade
from tests.databases import recreate_postgres_database

TOKEN = "bench-auth-token-0123456789abcdef"  # noqa: S105 - a throwaway token for a local benchmark
SECRETS = {"HOTLINE_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
           "HOTLINE_PSEUDONYM_KEY": "bench-pseudonym-key-0123456789abcdef012345",
           "HOTLINE_TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000", "HOTLINE_TWILIO_AUTH_TOKEN": TOKEN}
BODIES = ["کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے", "Is the border open this season?",
          "সীমান্ত কি খোলা আছে?", "ชายแดนเปิดไหม", "Saya mahu bekerja di Malaysia, adakah ini benar?"]


class DroppedJobs:
    """Counts enqueued jobs without running them (the worker's work is not the webhook's)."""

    def __init__(self) -> None:
        self.count = 0

    def enqueue(self, func_path: str, *args: Any) -> None:
        self.count += 1


def forms(n: int, offset: int) -> list[dict[str, str]]:
    """``n`` inbound messages from n/4 callers (so conversations both start and continue)."""
    return [{"MessageSid": f"SM{offset + i:032x}", "From": f"+9230012{(offset + i) % max(1, n // 4):05d}",
             "To": "+93790000000", "Body": BODIES[i % len(BODIES)], "NumMedia": "0"} for i in range(n)]


def run(client: Any, path: str, batch: list[dict[str, str]], signed: bool) -> list[float]:
    validator = RequestValidator(TOKEN)
    latencies = []
    for form in batch:
        headers = {"X-Twilio-Signature": validator.compute_signature("http://localhost" + path, form)} if signed else {}
        started = time.perf_counter()
        response = client.post(path, data=form, headers=headers)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return latencies


class _FloorBase(DeclarativeBase):
    pass


class FloorMessage(_FloorBase):
    """The floor's one row per message, inserted through the ORM as the app's rows are."""

    __tablename__ = "bench_floor_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


def floor_app(url: str) -> Flask:
    """A bare Flask endpoint: read the form, insert one row with the ORM, commit (the app's engine settings)."""
    engine = build_engine(url)
    _FloorBase.metadata.drop_all(engine)
    _FloorBase.metadata.create_all(engine)
    app = Flask("floor")

    @app.post("/floor")
    def floor() -> str:
        with Session(engine) as session, session.begin():
            session.add(FloorMessage(sid=request.form["MessageSid"], sender=request.form["From"],
                                     body=request.form["Body"]))
        return "<Response/>"

    return app


def summarise(name: str, latencies: list[float]) -> float:
    total = sum(latencies)
    rate = len(latencies) / total
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(f"  {name:<14} {rate:8.1f} req/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")
    return rate


def bench(url: str, n: int, label: str) -> float:
    upgrade(url)
    instance = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    app = create_app({"HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(instance),
                      "HOTLINE_LOG_LEVEL": "WARNING", **SECRETS})
    dropped = DroppedJobs()
    set_job_queue(app, dropped)
    hotline_client, floor_client = app.test_client(), floor_app(url).test_client()
    run(hotline_client, "/twilio/sms", forms(20, 10**6), signed=True)  # warm up: model load, caches
    run(floor_client, "/floor", forms(20, 10**6), signed=False)
    floor = run(floor_client, "/floor", forms(n, 0), signed=False)
    webhook = run(hotline_client, "/twilio/sms", forms(n, 0), signed=True)
    print(f"{label}: {n} inbound messages each ({dropped.count} replies queued)")
    floor_rate = summarise("floor", floor)
    webhook_rate = summarise("/twilio/sms", webhook)
    ratio = webhook_rate / floor_rate
    print(f"  ratio {ratio:.2f} of the floor (target >= 0.6)")
    return ratio


def _fresh_postgres(url: str) -> str:
    recreate_postgres_database(url)
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL whose database may be dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.sqlite3", args.n, "SQLite")
    if args.postgres:
        bench(_fresh_postgres(args.postgres), args.n, "PostgreSQL")


if __name__ == "__main__":
    main()
