"""Benchmark: the operator queue page with 100,000 open reports, against the bare SQL it needs.

The floor runs the page's own statements (the page of ids with its rows, the total, the counts by status) on a plain
connection; the subject is GET /console/queue through Flask's test client, signed in as an operator (session,
role check, filters parsed, statements run, template rendered, headers). Both run in this process, in the same run,
on SQLite and (if reachable) PostgreSQL: compare the ratio (page time / floor time) across machines.

    .venv/bin/python bench/bench_queue.py [--reports 100000] [--requests 40] [--no-postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, create_engine, insert, text

from hotline.app import create_app
from hotline.auth.service import create_user
from hotline.db import build_engine
from hotline.extensions import db
from hotline.intake.models import Contact, Report
from hotline.migrate import upgrade
from hotline.triage.queue import load_queue, parse_filter

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgresql://postgres@127.0.0.1:5432/hotline_bench_console"
SECRETS = {"HOTLINE_SECRET_KEY": "b" * 40, "HOTLINE_PSEUDONYM_KEY": "p" * 40,
           "HOTLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "HOTLINE_TWILIO_AUTH_TOKEN": "t" * 32}
LANGUAGES = ("prs", "ur", "bn", "ta", "id", "ms", "th", "en")
OPERATOR_LANGUAGES = ["prs", "ur", "en"]
QUERY = "/console/queue?per_page=25"
BATCH = 10_000


def seed(engine: Engine, reports: int, echo: Callable[[str], None]) -> None:
    """Bulk-insert ``reports`` open reports (in 1,000 conversations) with executemany batches."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    contacts = [{"channel": "sms", "provider_id": f"SMbench{i:026d}", "ivr_path": [], "state": {},
                 "started_at": now, "last_activity_at": now} for i in range(1000)]
    with engine.begin() as conn:
        conn.execute(insert(Contact), contacts)
        first_contact = conn.execute(text("SELECT min(id) FROM contacts")).scalar_one()
    started = time.perf_counter()
    for start in range(0, reports, BATCH):
        rows = []
        for i in range(start, min(reports, start + BATCH)):
            received = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
            urgency = rng.choices(("normal", "high", "immediate"), (90, 8, 2))[0]
            rows.append({
                "contact_id": first_contact + i % 1000, "channel": rng.choice(("sms", "voice", "whatsapp")),
                "received_at": received, "week": received.date() - timedelta(days=received.weekday()),
                "language": rng.choice(LANGUAGES), "text": f"Is the border open? question number {i}",
                "status": rng.choices(("new", "claimed", "escalated"), (85, 12, 3))[0], "urgency": urgency,
                "urgency_rank": {"immediate": 0, "high": 1, "normal": 2}[urgency],
                "sensitivity": rng.choices(("normal", "protection"), (97, 3))[0], "auto_answered": False,
                "updated_at": now, "category": rng.choice(("journey_risk", "destination_policy", None)),
            })
        with engine.begin() as conn:
            conn.execute(insert(Report), rows)
        echo(f"  seeded {min(reports, start + BATCH):,} / {reports:,} reports "
             f"({time.perf_counter() - started:.1f} s)")
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # planner statistics as a live database would have them


def subject_app(url: str, instance: Path) -> tuple[Flask, int]:
    """Hotline, and the id of an operator to sign in as."""
    app = create_app({"HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(instance),
                      "HOTLINE_LOG_LEVEL": "WARNING", **SECRETS})
    with app.app_context():
        user = create_user(db.session(), {"email": "bench@hotline.test", "role": "operator",
                                          "password": "bench password 123", "languages": OPERATOR_LANGUAGES})
        db.session.commit()
        return app, user.id


def time_page(app: Flask, user_id: int, requests: int) -> list[float]:
    """Milliseconds per GET of the queue page, signed in, after a warm-up."""
    client = app.test_client()
    with client.session_transaction() as state:
        now = int(time.time())
        state["staff"] = {"uid": user_id, "since": now, "seen": now, "nonce": "bench"}
    timings = []
    for i in range(requests + 5):
        started = time.perf_counter()
        response = client.get(QUERY)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 5:
            timings.append(elapsed)
    return timings


def time_floor(app: Flask, user_id: int, requests: int) -> list[float]:
    """Milliseconds per run of the page's statements alone, on a session of the same engine."""
    wanted = parse_filter({"per_page": "25"}, OPERATOR_LANGUAGES)
    timings = []
    with app.app_context():
        session = db.session()
        for i in range(requests + 5):
            started = time.perf_counter()
            page = load_queue(session, wanted, user_id, datetime.now(UTC))
            session.rollback()
            elapsed = (time.perf_counter() - started) * 1000
            assert len(page.rows) == 25
            if i >= 5:
                timings.append(elapsed)
    return timings


def run(name: str, url: str, instance: Path, reports: int, requests: int) -> None:
    engine = build_engine(url)
    seed(engine, reports, print)
    engine.dispose()
    app, user_id = subject_app(url, instance)
    floor = statistics.median(time_floor(app, user_id, requests))
    page = statistics.median(time_page(app, user_id, requests))
    print(f"{name:10} floor (queue statements) p50 {floor:7.2f} ms")
    print(f"{name:10} queue page              p50 {page:7.2f} ms")
    print(f"{name:10} ratio page/floor = {page / floor:.2f}  ({reports:,} open reports, {date.today()})")
    app.extensions["hotline_db"].engine.dispose()


def _recreate_postgres() -> bool:
    try:
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS hotline_bench_console WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE hotline_bench_console"))
        admin.dispose()
    except Exception as exc:  # a benchmark without PostgreSQL still reports SQLite
        print(f"postgresql unreachable, skipped: {exc}")
        return False
    upgrade(POSTGRES_BENCH)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(sqlite_url)
        run("sqlite", sqlite_url, Path(tmp), args.reports, args.requests)
        if not args.no_postgres and _recreate_postgres():
            run("postgresql", POSTGRES_BENCH, Path(tmp), args.reports, args.requests)


if __name__ == "__main__":
    main()
