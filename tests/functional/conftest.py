"""Browser-test harness: a live Hotline server on loopback and a Playwright page driving Debian's chromium.

The live server runs in a child process, not a thread: ``hotline.extensions.db`` holds one engine per process, so a
second app in this process would re-point the test session's database (and the transactional ``db_session`` cannot
be shared across threads anyway). The child serves an app built with its own SQLite file, migrated with
``hotline.migrate.upgrade``, through werkzeug on 127.0.0.1 and a free port it picks itself.

Playwright never downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, ``executable_path``): the tests need
/usr/bin/chromium (``make system-deps``) and are skipped, saying so, only when it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("HOTLINE_SCREENSHOT_DIR", "/tmp/hotline-screenshots"))

# Run in the child: build the app from the JSON config, bind port 0, report the port through a file, serve.
_SERVER = """
import json, sys
from pathlib import Path
from werkzeug.serving import make_server
from hotline.app import create_app
config, port_file = json.loads(sys.argv[1]), Path(sys.argv[2])
server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
port_file.with_suffix(".tmp").write_text(str(server.server_port))
port_file.with_suffix(".tmp").replace(port_file)
server.serve_forever()
"""


def _wait_for_port(port_file: Path, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.exists():
            return int(port_file.read_text())
        if process.poll() is not None:
            raise RuntimeError(f"live server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        time.sleep(0.05)
    raise RuntimeError(f"live server did not start in {timeout}s:\n{log.read_text()[-4000:]}")


@contextmanager
def running_server(root: Path, config: dict[str, object], script: str = _SERVER, *extra_args: str,
                   timeout: float = 30) -> Iterator[str]:
    """Run ``script`` (default: serve ``config``) in a child process; yield its base URL once /healthz answers."""
    port_file, log = root / "port", root / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen([sys.executable, "-c", script, json.dumps(config), str(port_file), *extra_args],
                                   stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=Path(__file__).resolve().parents[2])
    try:
        base = f"http://127.0.0.1:{_wait_for_port(port_file, process, log, timeout)}"
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:  # noqa: S310 (loopback)
            assert response.status == 200
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (http://127.0.0.1:PORT) of a running Hotline with its own freshly migrated SQLite database."""
    root = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    with running_server(root, app_config(database_url, root / "instance")) as base:
        yield base


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """Playwright's sync API, started once per session: a second one in the same process is refused."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install it with `make system-deps` (apt-get install chromium)")
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    """Debian's chromium, headless, launched once per session."""
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own browser context (no cookies from other tests), 1280x900, English browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests keep their screenshots (look at them: they show whether every script rendered)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def fonts_loaded(page: Any) -> list[dict[str, str]]:
    """After document.fonts.ready: every @font-face the page declared, with its family, weight and status."""
    return json.loads(page.evaluate(
        "document.fonts.ready.then(() => JSON.stringify(Array.from(document.fonts).map("
        "f => ({family: f.family.replace(/[\"']/g, ''), weight: f.weight, status: f.status}))))"
    ))
