"""Voice webhook benchmark under gunicorn: the incoming-call webhook and a menu step, each against a bare Flask
endpoint that parses the form, does one insert and returns a similar <Gather> (the floor), in the same run.

    .venv/bin/python bench/bench_voice.py [--postgres-url postgresql://postgres@127.0.0.1:5432/hotline_bench_voice]

Prints requests/s and p50/p99 latency per endpoint and the ratio of each Hotline endpoint to the floor
(target: >= 0.6). Runs SQLite always, and PostgreSQL when --postgres-url is given.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOKEN = secrets.token_hex(16)  # per run: the server and the client share it through the environment
SECRETS = {"HOTLINE_SECRET_KEY": "b" * 40, "HOTLINE_PSEUDONYM_KEY": "p" * 40,
           "HOTLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "HOTLINE_TWILIO_AUTH_TOKEN": TOKEN}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(url: str) -> None:
    from hotline.migrate import upgrade

    if url.startswith("postgresql"):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for tests.databases
        from tests.databases import recreate_postgres_database

        recreate_postgres_database(url)
    upgrade(url)


def start_server(url: str, port: int, instance: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url,
           "HOTLINE_LOG_LEVEL": "WARNING", "HOTLINE_INSTANCE_PATH": str(instance)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--pythonpath", str(ROOT), "--chdir", str(ROOT / "bench"), "--log-level", "warning",
         "bench_voice_app:app"], env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


class Client:
    """One keep-alive connection posting signed forms."""

    def __init__(self, port: int):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.validator = RequestValidator(TOKEN)

    def post(self, path: str, form: dict[str, str]) -> float | None:
        """The request's latency in seconds, or None when it failed."""
        body = urllib.parse.urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": self.validator.compute_signature(self.base + path, form)}
        started = time.perf_counter()
        self.conn.request("POST", path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        return elapsed if response.status == 200 else None


def call_form(sid: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"+9370{secrets.randbelow(10**7):07d}",
            "To": "+93790000000", "CallStatus": "ringing", "Direction": "inbound"}


def run(port: int, label: str, requests: list[tuple[str, dict[str, str]]], concurrency: int) -> dict[str, float]:
    """Send ``requests`` from ``concurrency`` keep-alive clients; throughput and latency percentiles."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    chunks = [requests[i::concurrency] for i in range(concurrency)]

    def worker(chunk: list[tuple[str, dict[str, str]]]) -> None:
        client = Client(port)
        mine = [client.post(path, form) for path, form in chunk]
        with lock:
            latencies.extend(t for t in mine if t is not None)
            failures[0] += sum(1 for t in mine if t is None)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    result = {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
              "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000}
    print(f"  {label:<22} {result['rps']:8.0f} req/s   p50 {result['p50']:6.1f} ms   p99 {result['p99']:6.1f} ms"
          f"   failed {failures[0]}")
    return result


def bench(url: str, label: str, count: int, concurrency: int) -> list[float]:
    prepare_database(url)
    port = free_port()
    with tempfile.TemporaryDirectory() as instance:
        log = Path(instance) / "server.log"
        server = start_server(url, port, Path(instance), log)
        try:
            warm = [("/twilio/bench/bare", call_form(f"CA{secrets.token_hex(16)}")) for _ in range(50)]
            run(port, "(warm-up)", warm + [("/twilio/voice", call_form(f"CA{secrets.token_hex(16)}"))
                                           for _ in range(50)], concurrency)
            print(f"{label}: {count} requests per endpoint, {concurrency} concurrent clients, gunicorn 2x4 gthread")
            sids = [f"CA{secrets.token_hex(16)}" for _ in range(count)]
            floor = run(port, "bare floor (insert)", [("/twilio/bench/bare", call_form(f"CA{secrets.token_hex(16)}"))
                                                       for _ in range(count)], concurrency)
            incoming = run(port, "POST /twilio/voice", [("/twilio/voice", call_form(sid)) for sid in sids],
                           concurrency)
            step = run(port, "menu step (language)", [
                ("/twilio/voice/step?node=choose_language&n=1", {**call_form(sid), "Digits": "1"}) for sid in sids
            ], concurrency)
        finally:
            server.terminate()
            server.wait(timeout=10)
            errors = log.read_text(errors="replace").count("Traceback")
            if errors:
                print(f"  server logged {errors} traceback(s), e.g. {_first_error(log)}")
    ratios = [incoming["rps"] / floor["rps"], step["rps"] / floor["rps"]]
    print(f"  ratio to floor: incoming call {ratios[0]:.2f}, menu step {ratios[1]:.2f} (target >= 0.60)")
    return ratios


def _first_error(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if "Error:" in line]
    return lines[0].strip()[:160] if lines else "(none)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (PostgreSQL)")
    parser.add_argument("--sqlite-concurrency", type=int, default=1,
                        help="concurrent clients on SQLite, which serialises writers (default 1)")
    parser.add_argument("--postgres-url", default=os.environ.get("HOTLINE_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.requests, args.sqlite_concurrency)
    if args.postgres_url:
        bench(args.postgres_url, "PostgreSQL", args.requests, args.concurrency)


if __name__ == "__main__":
    main()
