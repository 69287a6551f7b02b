"""Load for the webhook benchmarks: gunicorn serving bench/webhook_app.py, and keep-alive clients posting forms
signed as Twilio signs them. Shared by bench_voice.py and bench_sms.py so both measure the same way."""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = secrets.token_hex(16)  # per run: the server and the clients share it through the environment
SECRETS = {"HOTLINE_SECRET_KEY": "b" * 40, "HOTLINE_PSEUDONYM_KEY": "p" * 40,
           "HOTLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "HOTLINE_TWILIO_AUTH_TOKEN": TOKEN}
Request = tuple[str, dict[str, str]]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_arguments(description: str) -> argparse.ArgumentParser:
    """The options every webhook benchmark takes: requests per endpoint, clients per database, the PostgreSQL URL."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (PostgreSQL)")
    parser.add_argument("--sqlite-concurrency", type=int, default=8,
                        help="concurrent clients on SQLite (default 8, as on PostgreSQL: the issue's method)")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (2 workers)")
    parser.add_argument("--rate", type=float, default=200.0,
                        help="requests/s of the open-loop run (p99 at a steady rate; 0 skips it)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the open-loop run")
    parser.add_argument("--rounds", type=int, default=5,
                        help="floor and webhook runs, alternated: the ratio is their median (drift on a shared "
                             "machine, and how 8 keep-alive connections fall on 2 workers, move single runs a lot)")
    parser.add_argument("--postgres-url", default=os.environ.get("HOTLINE_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL database the benchmark may drop and create")
    return parser


def prepare_database(url: str) -> None:
    """A fresh database at ``url`` (PostgreSQL: dropped and created again), migrated to the head."""
    from hotline.migrate import upgrade

    if url.startswith("postgresql"):
        sys.path.insert(0, str(ROOT))  # the repository, for tests.databases
        from tests.databases import recreate_postgres_database

        recreate_postgres_database(url)
    upgrade(url)


@contextmanager
def serving(url: str, instance: Path, workers: int = 2, threads: int = 2,
            extra_env: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn (``workers`` x ``threads`` gthread, the production config file) on a free port; yields the port.

    On the way out it reports any traceback the server logged, since a failing request is not a fast one.
    """
    port = free_port()
    log = instance / "server.log"
    env = {**os.environ, **SECRETS, "HOTLINE_MODE": "production", "HOTLINE_DATABASE_URL": url,
           "HOTLINE_LOG_LEVEL": "WARNING", "HOTLINE_INSTANCE_PATH": str(instance), **(extra_env or {})}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [str(gunicorn), "-c", str(ROOT / "hotline" / "config" / "gunicorn.conf.py"), "-w", str(workers),
             "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "bench.webhook_app:app"],
            env=env, stdout=subprocess.DEVNULL, stderr=handle)
        try:
            _wait_for(port, server)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
    errors = log.read_text(errors="replace").count("Traceback")
    if errors:
        print(f"  server logged {errors} traceback(s), e.g. {_first_error(log)}")


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until a worker answers /healthz: gunicorn binds its port before its workers have built the app."""
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not answer in 120 s")


def _first_error(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if "Error:" in line]
    return lines[0].strip()[:160] if lines else "(none)"


class Client:
    """One keep-alive connection posting signed forms."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.validator = RequestValidator(TOKEN)

    def post(self, path: str, form: dict[str, str]) -> float | None:
        """The request's latency in seconds, or None when it failed."""
        started = time.perf_counter()
        status, _ = self.fetch(path, form)
        elapsed = time.perf_counter() - started
        return elapsed if status == 200 else None

    def worker(self) -> str:
        """The gunicorn worker (its process id) that accepted this connection (bench/webhook_app.py)."""
        self.conn.request("GET", "/twilio/bench/worker")
        response = self.conn.getresponse()
        return response.read().decode()

    def close(self) -> None:
        self.conn.close()

    def fetch(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        """Post ``form`` signed; the status and the body."""
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": self.validator.compute_signature(self.base + path, form)}
        self.conn.request("POST", path, body=urllib.parse.urlencode(form), headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")


def run_open_loop(port: int, label: str, requests: list[Request], rate: float) -> dict[str, float]:
    """Send ``requests`` at a steady ``rate`` per second whatever the answers' pace (an open loop, as Twilio sends):
    request i is due at i/rate seconds, and its latency counts from then, so a server falling behind shows in the
    tail instead of slowing the load down. Print and return the achieved rate and percentiles."""
    due = [(i / rate, path, form) for i, (path, form) in enumerate(requests)]
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    pending = iter(due)
    started = time.perf_counter() + 0.2

    def worker() -> None:
        client = Client(port)
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            at, path, form = item
            delay = started + at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status, _ = client.fetch(path, form)
            elapsed = time.perf_counter() - (started + at)
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1

    # Enough connections that a slow answer never holds the next request back (each client waits for its answer).
    threads = [threading.Thread(target=worker) for _ in range(max(8, int(rate // 10)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return _summary(label, latencies, failures[0], wall)


def _summary(label: str, latencies: list[float], failed: int, wall: float, quiet: bool = False) -> dict[str, float]:
    latencies.sort()
    if not latencies:
        raise SystemExit(f"{label}: every request failed")
    result = {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
              "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, "failed": failed}
    if quiet and not failed:
        return result
    print(f"  {label:<24} {result['rps']:8.0f} req/s   p50 {result['p50']:6.1f} ms   p99 {result['p99']:6.1f} ms"
          f"   failed {failed}")
    return result


def median_ratio(label: str, webhook: list[dict[str, float]], floor: list[dict[str, float]]) -> float:
    """The median of the rounds' webhook/floor throughput ratios, printed with each round's."""
    ratios = [w["rps"] / f["rps"] for w, f in zip(webhook, floor, strict=True)]
    print(f"  {label}: rounds {', '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.2f}")
    return statistics.median(ratios)


def balanced_clients(port: int, count: int, workers: int = 2) -> list[Client]:
    """``count`` keep-alive clients, as evenly spread over gunicorn's ``workers`` as they divide.

    Each worker serves the connections it accepted, with one interpreter lock: 6 of 8 clients on one worker leave
    the other core half idle, and which worker accepts a connection is chance. Left to it, the same code measured
    0.56 to 1.05 of the floor from one round to the next; spread evenly, floor and webhook meet the same server.
    """
    share = {index: count // workers + (1 if index < count % workers else 0) for index in range(workers)}
    kept: dict[str, list[Client]] = {}
    spare: list[Client] = []
    for _ in range(count * 25):
        client = Client(port)
        pid = client.worker()
        if pid not in kept and len(kept) < workers:
            kept[pid] = []
        target = share[list(kept).index(pid)] if pid in kept else 0
        (kept[pid] if len(kept.get(pid, ())) < target else spare).append(client)
        if sum(map(len, kept.values())) == count:
            break
    for client in spare:
        client.close()
    clients = [client for group in kept.values() for client in group]
    if len(clients) < count:  # one worker never took a connection (dead or still starting): measure all the same
        clients += [Client(port) for _ in range(count - len(clients))]
        print(f"  (could not spread {count} clients over {workers} workers: {len(kept)} answered)")
    return clients


def warm_up(port: int, batches: list[list[Request]], concurrency: int) -> None:
    """Each batch run on its own before anything is measured, so every endpoint (the floor too) meets warm caches,
    pools and connections: a floor warmed by a few requests ran its first measured round at half speed, and the
    median ratio hid it."""
    for batch in batches:
        run(port, "(warm-up)", batch, concurrency, quiet=True)


def run(port: int, label: str, requests: list[Request], concurrency: int, quiet: bool = False) -> dict[str, float]:
    """Send ``requests`` from ``concurrency`` keep-alive clients; print and return throughput and percentiles."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    chunks = [requests[i::concurrency] for i in range(concurrency)]
    clients = balanced_clients(port, concurrency)

    def worker(client: Client, chunk: list[Request]) -> None:
        mine = [client.post(path, form) for path, form in chunk]
        client.close()
        with lock:
            latencies.extend(t for t in mine if t is not None)
            failures[0] += sum(1 for t in mine if t is None)

    threads = [threading.Thread(target=worker, args=pair) for pair in zip(clients, chunks, strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return _summary(label, latencies, failures[0], wall, quiet)
