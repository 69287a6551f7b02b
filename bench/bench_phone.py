"""Operators' phone benchmark under gunicorn: the TwiML App's webhook that takes the next waiting caller
(``POST /twilio/voice/operator``, with Twilio's Queue Members API faked on loopback) and the softphone token
(``GET /console/phone/token``, a signed-in operator), each against the bare floor of bench_voice.py (a Flask app
outside Hotline: parse the form, one insert through a plain engine, TwiML) measured in the same run.

    .venv/bin/python bench/bench_phone.py [--requests 400] [--postgres-url postgresql://postgres@127.0.0.1/x]

8 keep-alive clients on gunicorn 2 workers x 2 threads (the method of issue 14). Every webhook is a distinct
request signed as Twilio signs it. The operator webhook is measured in rounds: 16 callers are put in the queue
(as the hold URL leaves them), 16 operators' softphones take them at once, then their calls end (as the status
callback marks them), so the queue stays at a realistic size instead of growing with the request count.
"""

from __future__ import annotations

import http.client
import logging
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: bench.http_load, hotline, tests

from bench.bench_voice import call_form
from bench.http_load import Client, load_arguments, prepare_database, run, serving

ROUND = 16
OPERATORS = 16
PASSWORD = "bench operator password 0123"  # noqa: S105 (a throw-away benchmark database)
PHONE_ENV = {"HOTLINE_TWILIO_API_KEY_SID": "SK" + "5" * 32, "HOTLINE_TWILIO_API_KEY_SECRET": "s" * 32,
             "HOTLINE_TWILIO_TWIML_APP_SID": "AP" + "6" * 32, "HOTLINE_TOTP_REQUIRED_ROLES": "none",
             "HOTLINE_RATELIMIT_ENABLED": "false"}


def seed_operators(url: str) -> list[str]:
    """Dari operators, available, each with a softphone identity; returns the identities."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from hotline.auth.service import create_user
    from hotline.operators.models import Presence
    from hotline.operators.presence import set_presence

    engine = create_engine(url)
    identities = []
    with Session(engine) as session:
        for i in range(OPERATORS):
            user = create_user(session, {"email": f"op{i}@bench.test", "role": "operator", "password": PASSWORD,
                                         "languages": ["prs"]})
            identities.append(set_presence(session, user, Presence.AVAILABLE, datetime.now(UTC)).client_identity)
        session.commit()
    engine.dispose()
    return identities


def _queue_callers(url: str, count: int) -> None:
    """``count`` Dari callers in the queue, as the hold URL leaves them; the calls of the last round have ended."""
    from sqlalchemy import create_engine, update
    from sqlalchemy.orm import Session

    from hotline.intake.models import Contact

    engine = _engines.setdefault(url, create_engine(url))
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.execute(update(Contact).where(Contact.status == "in-progress")
                        .values(status="completed", ended_at=now))
        for i in range(count):
            since = now - timedelta(seconds=30 + i)
            session.add(Contact(channel="voice", provider_id=f"CA{secrets.token_hex(16)}", language="prs",
                                status="in-progress", started_at=since, last_activity_at=since, ivr_path=[],
                                state={"node": "operator", "seq": 5, "twiml": "<Response/>",
                                       "call": {"queue": {"sid": "QU" + "7" * 32, "since": since.timestamp()}}}))
        session.commit()


_engines: dict[str, Engine] = {}


def run_operator_rounds(port: int, url: str, identities: list[str], count: int, concurrency: int) -> dict[str, float]:
    """``count`` operator webhooks in rounds of ROUND waiting callers; only the requests are timed."""
    latencies: list[float] = []
    failed = [0]
    clients = [Client(port) for _ in range(concurrency)]
    timed = 0.0
    taken = [0]
    lock = threading.Lock()
    for round_start in range(0, count, ROUND):
        size = min(ROUND, count - round_start)
        _queue_callers(url, size)
        work = [(i % len(identities)) for i in range(size)]
        chunks = [work[i::concurrency] for i in range(concurrency)]

        def worker(client: Client, chunk: list[int]) -> None:
            for who in chunk:
                started = time.perf_counter()
                status, body = client.fetch("/twilio/voice/operator", {
                    "CallSid": f"CA{secrets.token_hex(16)}", "AccountSid": "AC" + "0" * 32,
                    "From": f"client:{identities[who]}", "CallStatus": "ringing"})
                elapsed = time.perf_counter() - started
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                        taken[0] += "<Conference" in body
                    else:
                        failed[0] += 1

        threads = [threading.Thread(target=worker, args=(clients[i], chunks[i])) for i in range(concurrency)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        timed += time.perf_counter() - started
    latencies.sort()
    result = {"rps": len(latencies) / timed, "p50": statistics.median(latencies) * 1000,
              "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, "failed": failed[0]}
    print(f"  {'POST /twilio/voice/operator':<24} {result['rps']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
          f"p99 {result['p99']:6.1f} ms   failed {failed[0]}   callers taken {taken[0]}/{count}")
    return result


class Browser:
    """One signed-in operator's keep-alive connection (session cookie), as the softphone page fetches."""

    def __init__(self, port: int, email: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.cookie = ""
        page = self._request("GET", "/console/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("no CSRF token on the sign-in page")
        self._request("POST", "/console/login", {"email": email, "password": PASSWORD, "csrf_token": token.group(1)})

    def _request(self, method: str, path: str, form: dict[str, str] | None = None) -> str:
        try:
            return self._send(method, path, form)
        except (http.client.RemoteDisconnected, ConnectionResetError):  # gunicorn closed an idle keep-alive
            self.conn.close()
            return self._send(method, path, form)

    def _send(self, method: str, path: str, form: dict[str, str] | None) -> str:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookie = header.split(";", 1)[0]
        self.status = response.status
        return response.read().decode("utf-8", "replace")

    def token(self) -> float | None:
        started = time.perf_counter()
        body = self._request("GET", "/console/phone/token")
        elapsed = time.perf_counter() - started
        return elapsed if self.status == 200 and '"token"' in body else None


def run_tokens(port: int, count: int, concurrency: int) -> dict[str, float]:
    """``count`` token requests from ``concurrency`` signed-in operators."""
    browsers = [Browser(port, f"op{i % OPERATORS}@bench.test") for i in range(concurrency)]
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()

    def worker(browser: Browser, n: int) -> None:
        mine = [browser.token() for _ in range(n)]
        with lock:
            latencies.extend(t for t in mine if t is not None)
            failed[0] += sum(1 for t in mine if t is None)

    shares = [count // concurrency + (1 if i < count % concurrency else 0) for i in range(concurrency)]
    threads = [threading.Thread(target=worker, args=(browsers[i], shares[i])) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        raise SystemExit("every token request failed")
    result = {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
              "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, "failed": failed[0]}
    print(f"  {'GET /console/phone/token':<24} {result['rps']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
          f"p99 {result['p99']:6.1f} ms   failed {failed[0]}")
    return result


def bench(url: str, label: str, count: int, concurrency: int, threads: int = 2) -> list[float]:
    """Floor, operator webhook, token, on one gunicorn; the two ratios to the floor."""
    from tests.fakes.twilio_api import FakeTwilioApi

    prepare_database(url)
    identities = seed_operators(url)
    with tempfile.TemporaryDirectory() as instance, FakeTwilioApi() as twilio, \
            serving(url, Path(instance), threads=threads,
                    extra_env={**PHONE_ENV, "HOTLINE_TWILIO_API_BASE": twilio.base_url}) as port:
        run(port, "(warm-up)", [("/twilio/bench/bare", call_form(f"CA{secrets.token_hex(16)}"))
                                for _ in range(50)], concurrency)
        print(f"{label}: {count} requests per endpoint, {concurrency} concurrent clients, gunicorn 2x{threads} gthread")
        floor = run(port, "bare floor (insert)", [("/twilio/bench/bare", call_form(f"CA{secrets.token_hex(16)}"))
                                                   for _ in range(count)], concurrency)
        operator = run_operator_rounds(port, url, identities, count, concurrency)
        token = run_tokens(port, count, concurrency)
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    if floor["failed"] or operator["failed"] or token["failed"]:
        raise SystemExit("requests failed: no ratio")
    ratios = [operator["rps"] / floor["rps"], token["rps"] / floor["rps"]]
    print(f"  ratio to floor: operator webhook {ratios[0]:.2f}, token {ratios[1]:.2f}")
    return ratios


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the fake Twilio API's request lines
    parser = load_arguments(__doc__ or "")
    parser.set_defaults(requests=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.requests, args.sqlite_concurrency, args.threads)
    if args.postgres_url:
        bench(args.postgres_url, "PostgreSQL", args.requests, args.concurrency, args.threads)


if __name__ == "__main__":
    main()
