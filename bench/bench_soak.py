"""Soak: signed webhooks at a steady rate against gunicorn on PostgreSQL; errors, latency and memory over time.

An open-loop load (requests are sent on schedule, whether or not earlier ones have finished) of inbound texts,
incoming calls and call status callbacks, from a pool of numbers, against `gunicorn -c config/gunicorn.conf.py`
with its own PostgreSQL database. Replies go to a local fake of Twilio's API (in-process jobs, or an RQ worker with
--redis). The floor is the
same load against GET /healthz (no database), measured first in the same run; the ratio is p50(webhooks) /
p50(floor).

    .venv/bin/python bench/bench_soak.py [--rate 200] [--seconds 300] \
        [--postgres postgresql://postgres@127.0.0.1:5432/hotline_bench_soak]

Targets (issue 6): 0 errors; server RSS at the end within 10 % of the start.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import Server, start_gunicorn  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from tests.databases import recreate_postgres_database  # noqa: E402
from tests.factories import TEST_AUTH_TOKEN, TEST_SECRETS  # noqa: E402
from tests.fakes.twilio_api import FakeTwilioApi  # noqa: E402

Request = tuple[str, str, dict[str, str]]  # method, path, form
_BODIES = ["Is the border to Australia open?", "سرحد باز است؟", "Boleh kerja di Malaysia tanpa visa?",
           "A man says the boat is safe and costs 3000 dollars", "কবে নৌকা ছাড়বে?", "My cousin went last year"]


@dataclass
class Outcome:
    """Latencies (seconds) of successful requests and a count of failures by reason."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def fail(self, reason: str) -> None:
        with self.lock:
            self.errors[reason] = self.errors.get(reason, 0) + 1


def traffic(numbers: int = 2000) -> Callable[[int], Request]:
    """Request number i: mostly texts, some calls (each call followed later by its status callback)."""
    run = uuid.uuid4().hex

    def make(i: int) -> Request:
        sender = f"+9370{1000000 + (i * 7919) % numbers:07d}"
        kind = i % 5
        if kind == 4:
            call_sid = f"CA{uuid.uuid5(uuid.NAMESPACE_OID, f'{run}-{i}').hex}"
            return "POST", "/twilio/voice", {"CallSid": call_sid, "From": sender,
                                              "To": "+93790000000", "AccountSid": "AC" + "0" * 32}
        if kind == 3 and i >= 5:
            call_sid = f"CA{uuid.uuid5(uuid.NAMESPACE_OID, f'{run}-{i - 4}').hex}"
            return "POST", "/twilio/voice/status", {"CallSid": call_sid, "From": sender, "To": "+93790000000",
                                                     "CallStatus": "completed", "CallDuration": "30",
                                                     "AccountSid": "AC" + "0" * 32}
        return "POST", "/twilio/sms", {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": "+93790000000",
                                       "Body": _BODIES[i % len(_BODIES)], "NumMedia": "0",
                                       "AccountSid": "AC" + "0" * 32}

    return make


def floor_traffic(_i: int) -> Request:
    """The floor: a request that touches no database."""
    return "GET", "/healthz", {}


def run_load(server: Server, make: Callable[[int], Request], rate: int, seconds: float) -> tuple[Outcome, float]:
    """Send ``rate`` requests a second for ``seconds`` on schedule; returns the outcome and the elapsed time."""
    total = int(rate * seconds)
    counter = itertools.count()
    outcome = Outcome()
    validator = RequestValidator(TEST_AUTH_TOKEN)
    host = urllib.parse.urlsplit(server.base_url)
    start = time.monotonic() + 0.2

    def worker() -> None:
        conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=15)
        while (i := next(counter)) < total:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            method, path, form = make(i)
            body = urllib.parse.urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
            if method == "POST":
                headers["X-Twilio-Signature"] = validator.compute_signature(server.base_url + path, form)
            began = time.monotonic()
            try:
                conn.request(method, path, body=body if method == "POST" else None, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    outcome.fail(f"HTTP {response.status} {path}")
                else:
                    outcome.ok(time.monotonic() - began)
            except (OSError, http.client.HTTPException) as exc:
                outcome.fail(f"{type(exc).__name__} {path}")
                conn.close()
                conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=15)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(96, rate // 2 + 8))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome, time.monotonic() - start


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _sample_rss(server: Server, samples: list[int], stop: threading.Event) -> None:
    while not stop.wait(5):
        samples.append(server.rss_kib())


def _forget_queue(redis_url: str, queue: str) -> None:
    from redis import Redis

    connection = Redis.from_url(redis_url)
    for key in connection.scan_iter(f"*{queue}*"):
        connection.delete(key)
    connection.close()


def _fresh_database(url: str) -> None:
    recreate_postgres_database(url)
    upgrade(url)


def main() -> None:
    """Run the floor, then the soak, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200, help="webhooks per second")
    parser.add_argument("--seconds", type=float, default=300, help="how long to keep the rate up")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/hotline_bench_soak")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default=None, metavar="URL",
                        help="send replies through RQ on this Redis with a `hotline jobs worker` (as in production); "
                             "default: in-process, inside the request")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake Twilio API's access log
    _fresh_database(args.postgres)
    with FakeTwilioApi() as twilio, tempfile.TemporaryDirectory() as scratch:
        env = {**TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": args.postgres,
               "HOTLINE_TWILIO_API_BASE": twilio.base_url, "HOTLINE_INSTANCE_PATH": scratch,
               "HOTLINE_LOG_LEVEL": "WARNING"}
        worker = None
        if args.redis:
            queue = f"hotline-bench-soak-{uuid.uuid4().hex[:12]}"
            env.update(HOTLINE_REDIS_URL=args.redis, HOTLINE_TEST_RQ_QUEUE=queue)
            worker = subprocess.Popen(
                [str(Path(sys.executable).with_name("hotline")), "jobs", "worker", "--queue", queue],
                cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = start_gunicorn(env, Path(scratch) / "gunicorn.log", workers=args.workers, app="bench.wsgi_queue:app")
        try:
            # Warm-up with the real traffic: every worker loads its models, pools and caches before RSS is taken.
            warm, _ = run_load(server, traffic(), args.rate, max(10.0, min(60.0, args.seconds / 5)))
            print(f"warm-up: {len(warm.latencies)} requests, {sum(warm.errors.values())} errors",
                  warm.errors or "", flush=True)
            floor, _ = run_load(server, floor_traffic, args.rate, max(3.0, min(10.0, args.seconds / 10)))
            rss_start = server.rss_kib()
            print(f"soak: {args.rate}/s for {args.seconds:g} s against gunicorn ({args.workers} workers) on "
                  f"PostgreSQL; server RSS at start {rss_start / 1024:.1f} MiB", flush=True)
            samples: list[int] = []
            sampling = threading.Event()
            sampler = threading.Thread(target=_sample_rss, args=(server, samples, sampling), daemon=True)
            sampler.start()
            soak, elapsed = run_load(server, traffic(), args.rate, args.seconds)
            sampling.set()
            sampler.join()
            rss_end = server.rss_kib()
        finally:
            server.stop()
            if worker is not None:
                time.sleep(2)  # let the worker drain what is left before it is stopped
                worker.terminate()
                worker.wait(timeout=30)
                _forget_queue(args.redis, env["HOTLINE_TEST_RQ_QUEUE"])
        sent = len(soak.latencies) + sum(soak.errors.values())
        growth = (rss_end - rss_start) / rss_start * 100 if rss_start else float("nan")
        print(f"requests {sent} in {elapsed:.1f} s ({sent / elapsed:.0f}/s achieved), errors "
              f"{sum(soak.errors.values())} {dict(soak.errors) or ''}")
        print(f"latency p50 {percentile(soak.latencies, 50):.1f} ms, p99 {percentile(soak.latencies, 99):.1f} ms, "
              f"max {1000 * max(soak.latencies, default=0):.1f} ms, mean "
              f"{1000 * statistics.fmean(soak.latencies or [0]):.1f} ms")
        print(f"floor (GET /healthz, same rate): p50 {percentile(floor.latencies, 50):.1f} ms, p99 "
              f"{percentile(floor.latencies, 99):.1f} ms; ratio p50 webhooks/floor "
              f"{percentile(soak.latencies, 50) / percentile(floor.latencies, 50):.2f}")
        print("server RSS every 5 s (MiB): " + " ".join(f"{kib / 1024:.0f}" for kib in samples))
        print(f"server RSS start {rss_start / 1024:.1f} MiB, end {rss_end / 1024:.1f} MiB, growth {growth:+.1f} % "
              f"(target within 10 %); replies sent to the fake Twilio API: {len(twilio.messages)}")
        verdict = "PASS" if not soak.errors and growth <= 10 else "FAIL"
        print(f"{verdict}: errors {sum(soak.errors.values())} (target 0), RSS growth {growth:+.1f} % (target <= 10 %)")


if __name__ == "__main__":
    main()
