"""Two deployments side by side on loopback, each its own process and database, publishing and pulling; a proxy
between them tampers with, truncates or replays the feed, and each is refused with nothing stored."""

from __future__ import annotations

import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import TEST_SECRETS

ROOT = Path(__file__).resolve().parents[2]
HOTLINE = str(Path(sys.executable).parent / "hotline")
FEED = "/api/v1/region/feed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Deployment:
    name: str
    env: dict[str, str]
    database: Path
    port: int
    token: str = ""
    public_key: str = ""
    server: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{FEED}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([HOTLINE, *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=300, check=False)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    def script(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "tests.region_deployment", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def count(self, table: str, peer: str | None = None) -> int:
        query = f"SELECT count(*) FROM {table}"  # noqa: S608 - table names from the test itself
        if peer is not None:
            query += " WHERE peer_id = (SELECT id FROM region_peers WHERE name = ?)"
        with sqlite3.connect(self.database) as connection:
            found: int = connection.execute(query, (peer,) if peer else ()).fetchone()[0]
            return found


def deployment(tmp_path: Path, name: str, country: str, language: str) -> Deployment:
    database = tmp_path / f"{name}.sqlite3"
    env = {**os.environ, **TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": f"sqlite:///{database}",
           "HOTLINE_INSTANCE_PATH": str(tmp_path / f"instance-{name}"), "HOTLINE_TWILIO_API_BASE": "http://127.0.0.1:9",
           "HOTLINE_RATELIMIT_ENABLED": "false", "HOTLINE_TOTP_REQUIRED_ROLES": "none",
           "HOTLINE_PSEUDONYM_KEY": f"{name}-pseudonym-key-0123456789abcdef0123456789"}
    env.pop("HOTLINE_REDIS_URL", None)
    env.pop("FLASK_RUN_FROM_CLI", None)
    site = Deployment(name, env, database, free_port())
    site.token, site.public_key = site.script("setup", country, language).split()[-2:]
    # werkzeug's server, not app.run(): that returns at once when an earlier test's in-process CLI has left
    # FLASK_RUN_FROM_CLI=true in the environment this process hands down.
    code = ("from werkzeug.serving import run_simple; from hotline.app import create_app; "
            f"run_simple('127.0.0.1', {site.port}, create_app(), threaded=True)")
    site.log = tmp_path / f"{name}-server.log"
    with site.log.open("wb") as log:  # the child keeps its own handle; the log says why a start failed
        site.server = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                                       stdout=subprocess.DEVNULL, stderr=log)
    return site


def wait_until_up(site: Deployment) -> None:
    deadline = time.monotonic() + 120  # building the app in a fresh interpreter is slow on a busy machine
    while time.monotonic() < deadline and site.server is not None and site.server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{site.port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    tail = site.log.read_text(errors="replace")[-3000:] if site.log else ""
    raise AssertionError(f"the deployment on port {site.port} did not start:\n{tail}")


class Meddler(http.server.BaseHTTPRequestHandler):
    """Forwards /<mode>/api/v1/region/feed to the upstream deployment, then tampers, truncates or replays."""

    upstream = 0
    recorded: dict[str, bytes] = {}  # reset by the fixture

    def do_GET(self) -> None:
        mode, _, rest = self.path.lstrip("/").partition("/")
        request = urllib.request.Request(f"http://127.0.0.1:{self.upstream}/{rest}",
                                         headers={"Authorization": self.headers["Authorization"]})
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            body = answer.read()
        if mode == "tamper":
            body = body.replace(b'"rows":[[', b'"rows":[["2000-W01",', 1)
        elif mode == "truncate":
            body = body[: len(body) - 40]
        elif mode == "replay":
            body = self.recorded.setdefault(mode, body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deployment, Deployment]]:
    """Both deployments, started once for this module (each start is a few processes)."""
    tmp_path = tmp_path_factory.mktemp("region")
    sites: list[Deployment] = []
    try:
        sites.append(deployment(tmp_path, "af", "AF", "prs"))
        sites.append(deployment(tmp_path, "bd", "BD", "bn"))
        for site in sites:
            wait_until_up(site)
        yield sites[0], sites[1]
    finally:
        for site in sites:
            if site.server is not None:
                site.server.terminate()
                site.server.wait(timeout=10)


@pytest.fixture(scope="module")
def meddler(region: tuple[Deployment, Deployment]) -> Iterator[int]:
    Meddler.upstream = region[0].port
    Meddler.recorded = {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Meddler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_two_deployments_publish_pull_and_refuse_what_was_meddled_with(
        region: tuple[Deployment, Deployment], meddler: int) -> None:
    af, bd = region
    base = f"http://127.0.0.1:{meddler}"
    meddled = [f"{mode}|{base}/{mode}{FEED}|{af.public_key}|{af.token}" for mode in ("tamper", "truncate", "replay")]
    bd.script("peers", f"af|{af.url}|{af.public_key}|{af.token}", *meddled,
              f"impostor|{af.url}|{bd.public_key}|{af.token}")
    af.script("peers", f"bd|{bd.url}|{bd.public_key}|{bd.token}")

    first = bd.run("region", "pull", check=False)
    assert first.returncode == 1  # some peers were refused
    assert "af: " in first.stdout and "af: 0 new weeks" not in first.stdout, first.stdout
    assert "replay: " in first.stdout
    expected = {"tamper": "signature does not match", "truncate": "truncated or not JSON",
                "impostor": "signature does not match"}
    lines = {line.split(":", 1)[0]: line for line in first.stderr.splitlines() if ": refused" in line}
    for name, reason in expected.items():
        assert f"{name}: refused, nothing stored" in lines[name] and reason in lines[name], first.stderr
        assert bd.count("region_peer_weeks", name) == 0 and bd.count("region_peer_rumours", name) == 0
    weeks = bd.count("region_peer_weeks", "af")
    assert weeks >= 2
    assert bd.count("region_peer_rumours", "af") == 1
    assert bd.count("region_peer_messages", "af") == 1
    replayed_weeks = bd.count("region_peer_weeks", "replay")

    again = bd.run("region", "pull", check=False)
    assert "af: 0 new weeks" in again.stdout, again.stdout  # idempotent: nothing stored twice
    assert "replay: refused, nothing stored" in again.stderr and "replayed document" in again.stderr
    assert bd.count("region_peer_weeks", "af") == weeks
    assert bd.count("region_peer_weeks", "replay") == replayed_weeks
    assert bd.count("region_peer_messages", "af") == 1

    assert "bd: " in af.run("region", "pull").stdout
    assert af.count("region_peer_rumours", "bd") == 1
    with sqlite3.connect(bd.database) as connection:
        rows = connection.execute("SELECT w.rows FROM region_peer_weeks w JOIN region_peers p ON p.id = w.peer_id "
                                  "WHERE p.name = 'af'").fetchall()
    assert "journey_risk" in "".join(r[0] for r in rows)
    assert all('"AF"' in r[0] or r[0] == "[]" for r in rows)  # only AF's own table
    published = [row for r in rows for row in json.loads(r[0])]
    # The single journey_risk report is suppressed (rows are stored as JSON with ", " between values, so this
    # reads them rather than searching the text for ",1,").
    assert all(row[7] is None or row[7] >= 5 for row in published)
    assert [row[8] for row in published if row[5] == "journey_risk"] == ["primary", "primary"]

    # Cross-border: BD's own rumour says what AF's does; the pull suggested the link (for AF's feed and for the
    # replay proxy's first, honest, copy of it), a supervisor confirms them, and BD's API gives the rumour's path
    # through AF and BD from published cells only, the two copies of AF's weeks counted once.
    assert "2 links to rumours here suggested" in first.stdout, first.stdout
    assert bd.count("region_rumour_links") == 2
    analyst = bd.script("confirm-links").split()[-1]
    request = urllib.request.Request(f"http://127.0.0.1:{bd.port}/api/v1/region/paths",
                                     headers={"Authorization": f"Bearer {analyst}"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
        body = json.loads(answer.read())
    [path] = body["paths"]
    # 11 + 7 reports each side, published; AF's weeks came twice (af and replay) and count once.
    assert [(step["country"], step["reports"]) for step in path["steps"]] == [("AF", 18), ("BD", 18)], body
