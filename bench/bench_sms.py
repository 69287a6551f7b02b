"""Inbound SMS webhook benchmark under gunicorn, against a floor measured in the same run (as bench_voice.py).

The floor is a bare endpoint in Hotline's app that parses the form, inserts one row and returns the same empty
<Response/>. The measured endpoint is the real ``POST /twilio/sms``: signature check, schema parse, pseudonym and
sealed reply address, conversation grouping, language identification, flood counts, message, report, rumour
matching and a queued acknowledgement. Sending the acknowledgement and classifying the report are jobs: as in
production they go to RQ on Redis, and no worker runs them here (they are not the webhook's work). The Redis
database given is emptied afterwards.

    .venv/bin/python bench/bench_sms.py [--requests 2000] [--redis-url redis://127.0.0.1:6379/15]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/hotline_bench_sms]

Target (issue 4): the webhook's throughput is at least 0.6 of the floor's.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: bench.http_load, hotline

from redis import Redis

from bench.http_load import SECRETS, load_arguments, prepare_database, run, serving

BODIES = ["کیا سرحد کھلی ہے؟ مجھے آسٹریلیا جانا ہے", "Is the border open this season?",
          "সীমান্ত কি খোলা আছে?", "ชายแดนเปิดไหม", "Saya mahu bekerja di Malaysia, adakah ini benar?"]


def forms(n: int, offset: int) -> list[dict[str, str]]:
    """``n`` inbound messages from n/4 callers (so conversations both start and continue)."""
    return [{"MessageSid": f"SM{offset + i:032x}", "AccountSid": "AC" + "0" * 32,
             "From": f"+9230012{(offset + i) % max(1, n // 4):05d}", "To": "+93790000000",
             "Body": BODIES[i % len(BODIES)], "NumMedia": "0", "NumSegments": "1"} for i in range(n)]


def bench(url: str, label: str, count: int, concurrency: int, redis_url: str) -> float:
    """The floor, then the webhook, on one gunicorn; the webhook's ratio to the floor."""
    prepare_database(url)
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    with tempfile.TemporaryDirectory() as instance, \
            serving(url, Path(instance), extra_env={"HOTLINE_REDIS_URL": redis_url}) as port:
        warm = forms(100, 10**6)
        run(port, "(warm-up)", [("/twilio/bench/bare-sms", f) for f in warm] + [("/twilio/sms", f) for f in warm],
            concurrency)
        print(f"{label}: {count} requests per endpoint, {concurrency} concurrent clients, gunicorn 2x4 gthread,"
              " jobs queued on Redis")
        floor = run(port, "bare floor (insert)", [("/twilio/bench/bare-sms", f) for f in forms(count, 0)],
                    concurrency)
        webhook = run(port, "POST /twilio/sms", [("/twilio/sms", f) for f in forms(count, 0)], concurrency)
    print(f"  {redis.llen('rq:queue:hotline')} jobs waiting on Redis")
    filed = drain(url, redis_url)
    print(f"  worker: filed {filed['count']} messages from the inbox at {filed['rate']:.0f} messages/s (one process)")
    redis.flushdb()
    if floor["failed"] or webhook["failed"]:
        raise SystemExit("requests failed: no ratio")
    ratio = webhook["rps"] / floor["rps"]
    print(f"  ratio to floor: {ratio:.2f} (target >= 0.60)")
    return ratio


def drain(url: str, redis_url: str) -> dict[str, float]:
    """What the RQ worker does next: file every waiting message (its own jobs are queued, not run)."""
    from hotline.app import create_app
    from hotline.sms.inbox import drain_inbox

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({**SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url,
                          "HOTLINE_LOG_LEVEL": "WARNING", "HOTLINE_INSTANCE_PATH": instance,
                          "HOTLINE_REDIS_URL": redis_url})
        with app.app_context():
            started = time.perf_counter()
            count = drain_inbox()
            return {"count": count, "rate": count / (time.perf_counter() - started)}


def main() -> None:
    parser = load_arguments(__doc__ or "")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="a Redis database for the jobs, which the benchmark empties")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.requests, args.sqlite_concurrency, args.redis_url)
    if args.postgres_url:
        bench(args.postgres_url, "PostgreSQL", args.requests, args.concurrency, args.redis_url)


if __name__ == "__main__":
    main()
