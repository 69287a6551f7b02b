"""Voice webhook benchmark under gunicorn: the incoming-call webhook and a menu step, each against a bare Flask
app outside Hotline that parses the form, does one insert through a plain SQLAlchemy engine and returns a similar
<Gather> (the floor, bench/webhook_app.py), in the same run.

    .venv/bin/python bench/bench_voice.py [--postgres-url postgresql://postgres@127.0.0.1:5432/hotline_bench_voice]

Prints requests/s and p50/p99 latency per endpoint and the ratio of each Hotline endpoint to the floor, with
8 keep-alive clients on gunicorn 2 workers x 2 threads (the method of issue 14; target >= 0.8), then the new-call
webhook's p99 at a steady 200 requests/s in an open loop (target < 25 ms). Runs SQLite always, and PostgreSQL when
--postgres-url is given.
"""

from __future__ import annotations

import html
import re
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: bench.http_load, hotline

from bench.http_load import Client, load_arguments, median_ratio, prepare_database, run, run_open_loop, serving, warm_up


def call_form(sid: str) -> dict[str, str]:
    """An incoming call's webhook form from a random Afghan mobile number."""
    return {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"+9370{secrets.randbelow(10**7):07d}",
            "To": "+93790000000", "CallStatus": "ringing", "Direction": "inbound"}


def first_gather(port: int) -> str:
    """The step an incoming call waits at (its <Gather action>), so the menu step measured is a real transition:
    which question comes first depends on the languages this install can speak (e.g. stand-ins built or not)."""
    _, twiml = Client(port).fetch("/twilio/voice", call_form(f"CA{secrets.token_hex(16)}"))
    match = re.search(r'<Gather action="([^"]+)"', twiml)
    if match is None:
        raise SystemExit(f"the incoming call asks nothing: {twiml[:300]}")
    return html.unescape(match.group(1))


def bench(url: str, label: str, count: int, concurrency: int, threads: int = 2, rate: float = 200.0,
          seconds: float = 10.0, rounds: int = 3) -> list[float]:
    """Floor, incoming call and menu step, in that order, ``rounds`` times on one gunicorn; the medians of the two
    ratios to the floor. Then new calls at a steady ``rate`` (open loop): the p99 target."""
    prepare_database(url)
    floors, incomings, steps = [], [], []
    with tempfile.TemporaryDirectory() as instance, serving(url, Path(instance), threads=threads) as port:
        warm_up(port, [[(path, call_form(f"CA{secrets.token_hex(16)}")) for _ in range(400)]
                       for path in ("/twilio/bench/bare", "/twilio/voice")], concurrency)
        step_path = first_gather(port)
        print(f"{label}: {count} requests per endpoint and round, {rounds} rounds, {concurrency} concurrent clients,"
              f" gunicorn 2x{threads} gthread; the menu step answers {step_path}")
        for _ in range(rounds):
            sids = [f"CA{secrets.token_hex(16)}" for _ in range(count)]
            floors.append(run(port, "bare floor (insert)", [
                ("/twilio/bench/bare", call_form(f"CA{secrets.token_hex(16)}")) for _ in range(count)], concurrency))
            incomings.append(run(port, "POST /twilio/voice", [("/twilio/voice", call_form(sid)) for sid in sids],
                                 concurrency))
            steps.append(run(port, "menu step (key 1)", [(step_path, {**call_form(sid), "Digits": "1"})
                                                         for sid in sids], concurrency))
        steady = run_open_loop(port, f"new call at {rate:.0f}/s", [
            ("/twilio/voice", call_form(f"CA{secrets.token_hex(16)}")) for _ in range(int(rate * seconds))],
            rate) if rate else None
    if any(result["failed"] for result in floors + incomings + steps):
        raise SystemExit("requests failed: no ratio")
    ratios = [median_ratio("incoming call", incomings, floors), median_ratio("menu step", steps, floors)]
    print(f"  ratio to floor: incoming call {ratios[0]:.2f}, menu step {ratios[1]:.2f} (target >= 0.80)")
    if steady is not None:
        print(f"  new call p99 at {rate:.0f}/s open loop: {steady['p99']:.1f} ms (target < 25 ms)")
    return ratios


def main() -> None:
    parser = load_arguments(__doc__ or "")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.requests, args.sqlite_concurrency, args.threads,
              args.rate, args.seconds, args.rounds)
    if args.postgres_url:
        bench(args.postgres_url, "PostgreSQL", args.requests, args.concurrency, args.threads, args.rate, args.seconds,
              args.rounds)


if __name__ == "__main__":
    main()
