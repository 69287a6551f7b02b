"""Benchmark: the intake service behind a Flask endpoint, against a bare Flask endpoint doing one insert.

Both run in this process through Flask's test client, on SQLite and (if reachable) PostgreSQL, in the same run,
so the ratio (intake throughput / floor throughput) is what to compare across machines, not the absolute times.
Each intake request is a new SMS from one of 200 callers: replay check, caller lookup or insert, conversation
lookup or insert, message and report inserts, pseudonym HMAC, reply-address sealing, one commit.

    .venv/bin/python bench/bench_intake.py [--requests 600]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, insert, text

from hotline.app import create_app
from hotline.context import runtime
from hotline.extensions import db
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundMessage, InboundReport, Intake
from hotline.intake.service import record
from hotline.migrate import upgrade

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgresql://postgres@127.0.0.1:5432/hotline_bench"
SECRETS = {"HOTLINE_SECRET_KEY": "b" * 40, "HOTLINE_PSEUDONYM_KEY": "p" * 40,
           "HOTLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "HOTLINE_TWILIO_AUTH_TOKEN": "t" * 32}


def floor_app(url: str) -> Flask:
    """A bare Flask app whose endpoint inserts one row and commits: the fastest a webhook could be."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    table = Table("bench_floor", MetaData(), Column("id", Integer, primary_key=True), Column("sid", String(64)),
                  Column("body", Text), Column("at", DateTime(timezone=True)))
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    app = Flask("floor")

    @app.post("/floor")
    def floor() -> str:
        with engine.begin() as conn:
            conn.execute(insert(table).values(sid=request.form["MessageSid"], body=request.form["Body"],
                                              at=datetime.now(UTC)))
        return "ok"

    return app


def intake_app(url: str, instance: Path) -> Flask:
    """Hotline with a benchmark route: parse the form, call intake.record, commit at the request boundary."""
    app = create_app({"HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(instance),
                      "HOTLINE_LOG_LEVEL": "WARNING", **SECRETS})

    @app.post("/bench/intake")
    def intake() -> str:
        form = request.form
        event = Intake(channel=Channel.SMS, received_at=datetime.now(UTC), sender=form["From"],
                       message=InboundMessage(sid=form["MessageSid"], body=form["Body"]),
                       report=InboundReport(source_id=form["MessageSid"], text=form["Body"]))
        record(db.session(), event, runtime().intake_context())
        return "ok"

    return app


def measure(app: Flask, path: str, requests: int, label: str) -> list[float]:
    """Latencies in ms of ``requests`` POSTs, after a short warm-up."""
    client = app.test_client()
    latencies = []
    for i in range(requests + 50):
        data = {"MessageSid": f"SM{label}{i:030d}", "From": f"+9370{1000000 + i % 200}",
                "Body": "Is it true the border to Europe is open this spring? My cousin says the boat is safe."}
        started = time.perf_counter()
        response = client.post(path, data=data)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)
        if i >= 50:
            latencies.append(elapsed)
    return latencies


def summary(latencies: list[float]) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms)."""
    ordered = sorted(latencies)
    return 1000 * len(ordered) / sum(ordered), statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def run(name: str, url: str, instance: Path, requests: int, prepare: Callable[[], None]) -> None:
    prepare()
    floor = summary(measure(floor_app(url), "/floor", requests, "f"))
    subject = summary(measure(intake_app(url, instance), "/bench/intake", requests, "i"))
    print(f"{name:10} floor  {floor[0]:7.0f} req/s  p50 {floor[1]:5.2f} ms  p99 {floor[2]:5.2f} ms")
    print(f"{name:10} intake {subject[0]:7.0f} req/s  p50 {subject[1]:5.2f} ms  p99 {subject[2]:5.2f} ms")
    print(f"{name:10} ratio intake/floor throughput = {subject[0] / floor[0]:.2f}")


def _recreate_postgres() -> None:
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS hotline_bench WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE hotline_bench"))
    admin.dispose()
    upgrade(POSTGRES_BENCH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        run("sqlite", sqlite_url, Path(tmp), args.requests, lambda: upgrade(sqlite_url))
        if not args.no_postgres:
            run("postgresql", POSTGRES_BENCH, Path(tmp), args.requests, _recreate_postgres)


if __name__ == "__main__":
    main()
