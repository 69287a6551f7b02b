"""`hotline simulate call` over real HTTP against a server in a subprocess (its own app and SQLite file).

A subprocess, not a thread: a second app in this process would rebind the shared database extension.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.ivr.simulate_cli import simulate_group
from hotline.migrate import upgrade
from tests.factories import TEST_SECRETS

ROOT = Path(__file__).resolve().parents[2]
SERVE = "from werkzeug.serving import run_simple; from hotline.app import create_app; " \
        "import sys; run_simple('127.0.0.1', int(sys.argv[1]), create_app())"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("simulate")
    url = f"sqlite:///{folder / 'served.sqlite3'}"
    upgrade(url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **TEST_SECRETS, "HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": url,
           "HOTLINE_INSTANCE_PATH": str(folder / "instance"), "HOTLINE_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90  # building the app in a fresh interpreter is slow on a busy machine
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    assert process.poll() is None, "the served app exited at start-up"
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_simulated_call_over_http(runner, server: str) -> None:
    result = runner.invoke(simulate_group, ["call", "--url", server, "--to", "+62210000000",
                                            "--keys", "1,1,2,rec:9,4,hangup"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("SAY[id-ID] Selamat datang di Hotline.")
    assert "RECORD 9s" in lines and "CALLER HANGS UP" in lines and "STATUS completed" in lines
    assert "1 recording(s)" in lines[-1]


def test_wrong_token_is_refused_by_the_server(runner, server: str) -> None:
    result = runner.invoke(simulate_group, ["call", "--url", server, "--auth-token", "wrong"])
    assert result.exit_code == 1 and "HTTP 403" in result.output
