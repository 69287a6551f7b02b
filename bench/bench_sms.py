"""Inbound SMS webhook benchmark under gunicorn, against a floor measured in the same run (as bench_voice.py).

The floor is a bare Flask app outside Hotline (bench/webhook_app.py, served by the same gunicorn) that parses the
form, inserts one row through a plain SQLAlchemy engine and returns the same empty <Response/>. The measured
endpoint is the real ``POST /twilio/sms``: signature check, schema parse, pseudonym and
sealed reply address, conversation grouping, language identification, flood counts, message, report, rumour
matching and a queued acknowledgement. Sending the acknowledgement and classifying the report are jobs: as in
production they go to RQ on Redis, and no worker runs them here (they are not the webhook's work). The Redis
database given is emptied afterwards.

    .venv/bin/python bench/bench_sms.py [--requests 2000] [--redis-url redis://127.0.0.1:6379/15]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/hotline_bench_sms]

Targets (issue 14), printed with each figure: with 8 keep-alive clients on gunicorn 2 workers x 2 threads, the
webhook's throughput at least 0.8 of the floor's; its p99 at a steady 200 requests/s (open loop) under 25 ms;
filing from the inbox at least 300 texts/s per worker on PostgreSQL; and the embedded default (no Redis: the
filing and the acknowledgement run in the web process, here to a local fake of Twilio's REST API) with a p99
under 100 ms with 8 clients (``--embedded``, on SQLite), measured both ways that process can file: in a thread
beside the requests (the default) and in the webhook's own request (``HOTLINE_SMS_FILING=request``).
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: bench.http_load, hotline

from redis import Redis

from bench.http_load import (
    SECRETS,
    load_arguments,
    median_ratio,
    prepare_database,
    run,
    run_open_loop,
    serving,
    warm_up,
)

BODIES = ["کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے", "Is the border open this season?",
          "সীমান্ত কি খোলা আছে?", "ชายแดนเปิดไหม", "Saya mahu bekerja di Malaysia, adakah ini benar?"]


def forms(n: int, offset: int) -> list[dict[str, str]]:
    """``n`` inbound messages from n/4 callers (so conversations both start and continue)."""
    return [{"MessageSid": f"SM{offset + i:032x}", "AccountSid": "AC" + "0" * 32,
             "From": f"+9230012{(offset + i) % max(1, n // 4):05d}", "To": "+93790000000",
             "Body": BODIES[i % len(BODIES)], "NumMedia": "0", "NumSegments": "1"} for i in range(n)]


def bench(url: str, label: str, count: int, concurrency: int, redis_url: str, threads: int = 2,
          rate: float = 200.0, seconds: float = 10.0, rounds: int = 3) -> float:
    """The floor and the webhook, alternated ``rounds`` times on one gunicorn; the median of the webhook's ratios
    to the floor. Then the webhook at a steady ``rate`` (open loop), and the worker's filing of everything the
    webhooks put in the inbox."""
    prepare_database(url)
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    floors, webhooks = [], []
    with tempfile.TemporaryDirectory() as instance, \
            serving(url, Path(instance), threads=threads, extra_env={"HOTLINE_REDIS_URL": redis_url}) as port:
        warm = forms(400, 10**6)
        warm_up(port, [[("/twilio/bench/bare-sms", f) for f in warm], [("/twilio/sms", f) for f in warm]],
                concurrency)
        print(f"{label}: {count} requests per endpoint and round, {rounds} rounds, {concurrency} concurrent clients,"
              f" gunicorn 2x{threads} gthread, jobs queued on Redis")
        for n in range(rounds):
            floors.append(run(port, "bare floor (insert)", [("/twilio/bench/bare-sms", f)
                                                            for f in forms(count, 3 * 10**6 + n * count)],
                              concurrency))
            webhooks.append(run(port, "POST /twilio/sms", [("/twilio/sms", f) for f in forms(count, n * count)],
                                concurrency))
        steady = run_open_loop(port, f"POST /twilio/sms {rate:.0f}/s", [
            ("/twilio/sms", f) for f in forms(int(rate * seconds), 2 * 10**6)], rate) if rate else None
    print(f"  {redis.llen('rq:queue:hotline')} jobs waiting on Redis")
    filed = drain(url, redis_url)
    print(f"  worker: filed {filed['count']} messages from the inbox at {filed['rate']:.0f} messages/s (one process,"
          f" its first {filed['first']:.0f}/s; target >= 300 on PostgreSQL)")
    redis.flushdb()
    if any(result["failed"] for result in floors + webhooks):
        raise SystemExit("requests failed: no ratio")
    ratio = median_ratio("ratio to floor", webhooks, floors)
    print(f"  ratio to floor: {ratio:.2f} (target >= 0.80)")
    if steady is not None:
        print(f"  p99 at {rate:.0f}/s open loop: {steady['p99']:.1f} ms (target < 25 ms)")
    return ratio


def bench_embedded(url: str, count: int, concurrency: int, threads: int = 2, filing: str = "background") -> float:
    """The embedded default: no Redis, so each text is filed and acknowledged (to a local fake of Twilio's REST
    API) by the web process that received it: by a thread beside the requests (``background``, the default outside
    tests) or inside the webhook's own request (``request``). Its p99 with ``concurrency`` clients (target
    < 100 ms), and how long after the last webhook the last text was filed, so work moved off the request is still
    counted."""
    from tests.fakes.twilio_api import FakeTwilioApi

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's access log: one line per acknowledgement
    prepare_database(url)
    env = {"HOTLINE_SMS_FILING": filing}
    with FakeTwilioApi() as fake, tempfile.TemporaryDirectory() as instance, \
            serving(url, Path(instance), threads=threads,
                    extra_env={**env, "HOTLINE_TWILIO_API_BASE": fake.base_url}) as port:
        run(port, "(warm-up)", [("/twilio/sms", f) for f in forms(50, 10**6)], concurrency)
        _wait_for_filing(url, 50, time.perf_counter())  # the warm-up filed (models loaded) before the clock starts
        filed_before = _filed(url)
        print(f"Embedded default (no Redis), texts filed in the {filing}: {count} texts, {concurrency} clients, "
              f"gunicorn 2x{threads} gthread")
        started = time.perf_counter()
        result = run(port, f"POST /twilio/sms (filing: {filing})", [("/twilio/sms", f) for f in forms(count, 0)],
                     concurrency)
        answered = time.perf_counter()
        filed = _wait_for_filing(url, filed_before + count, answered) - filed_before
        done = time.perf_counter()
    print(f"  embedded SMS p99: {result['p99']:.1f} ms (target < 100 ms)")
    print(f"  {filed} of {count} texts filed {done - answered:.2f} s after the last answer: "
          f"{filed / (done - started):.0f} texts/s filed from the first request to the last filing")
    return result["p99"]


def _wait_for_filing(url: str, expected: int, since: float, limit: float = 120.0) -> int:
    """Wait until ``expected`` inbound messages are filed (at most ``limit`` seconds after ``since``); how many."""
    while (filed := _filed(url)) < expected and time.perf_counter() - since < limit:
        time.sleep(0.05)
    return filed


def _filed(url: str) -> int:
    """How many inbound messages the database holds (a filed text has its message)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM messages WHERE direction = 'in'")).scalar() or 0)
    finally:
        engine.dispose()


def drain(url: str, redis_url: str, limit: int = 200, batches: int = 5) -> dict[str, float]:
    """What the RQ worker does next: file the oldest waiting messages as ``drain_inbox`` does (its own jobs are
    queued, not run), after the worker's warm-up, in ``batches`` runs of ``limit``. A worker files thousands in its
    life: its rate is the median of the runs after the first, which also pays for what a process does once (each
    statement's first executions, before the driver prepares it). The first run's rate is given beside it."""
    from sqlalchemy import select

    from hotline.app import create_app
    from hotline.jobs import job_session, warm_up
    from hotline.sms.inbox import file_together
    from hotline.sms.models import InboxItem

    rates: list[float] = []
    count = 0
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({**SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url,
                          "HOTLINE_LOG_LEVEL": "WARNING", "HOTLINE_INSTANCE_PATH": instance,
                          "HOTLINE_REDIS_URL": redis_url})
        with app.app_context():
            warm_up()  # as `hotline jobs worker` does before its first job: models are not filing
            for _ in range(batches):
                with job_session() as session:
                    waiting = list(session.scalars(select(InboxItem.id).where(InboxItem.attempts == 0)
                                                   .order_by(InboxItem.id).limit(limit)))
                if not waiting:
                    break
                started = time.perf_counter()
                file_together(waiting)
                rates.append(len(waiting) / (time.perf_counter() - started))
                count += len(waiting)
    steady = statistics.median(rates[1:]) if len(rates) > 1 else rates[0]
    return {"count": count, "rate": steady, "first": rates[0]}


def main() -> None:
    parser = load_arguments(__doc__ or "")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="a Redis database for the jobs, which the benchmark empties")
    parser.add_argument("--embedded", action="store_true", help="also the embedded default (SQLite, no Redis)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.requests, args.sqlite_concurrency, args.redis_url,
              args.threads, args.rate, args.seconds, args.rounds)
    if args.postgres_url:
        bench(args.postgres_url, "PostgreSQL", args.requests, args.concurrency, args.redis_url, args.threads,
              args.rate, args.seconds, args.rounds)
    if args.embedded:
        for filing in ("request", "background"):
            with tempfile.TemporaryDirectory() as tmp:
                bench_embedded(f"sqlite:///{tmp}/embedded.sqlite3", min(args.requests, 400), args.sqlite_concurrency,
                               args.threads, filing)


if __name__ == "__main__":
    main()
