"""The prompt studio in Debian's chromium with its fake microphone: record, watch the level, listen, re-take, save;
a second person approves. Screenshots land in HOTLINE_SCREENSHOT_DIR (default /tmp/hotline-screenshots)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser

_SERVER = """
import json, sys
from pathlib import Path
from werkzeug.serving import make_server
from hotline.app import create_app
from hotline.extensions import db
from tests.factories import STAFF_PASSWORD, make_staff
config, port_file, seed_file = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
app = create_app(config)
with app.app_context():
    translator = make_staff(db.session(), "translator", email="ps@hotline.test", languages=["ps"])
    supervisor = make_staff(db.session(), "supervisor", email="sup@hotline.test")
    db.session.commit()
seed_file.write_text(json.dumps({"translator": "ps@hotline.test", "supervisor": "sup@hotline.test",
                                 "password": STAFF_PASSWORD}))
server = make_server("127.0.0.1", 0, app, threaded=True)
port_file.with_suffix(".tmp").write_text(str(server.server_port))
port_file.with_suffix(".tmp").replace(port_file)
server.serve_forever()
"""
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def studio_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("studio-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    seed_file = root / "seed.json"
    config = app_config(database_url, root / "instance")
    with running_server(root, config, _SERVER, str(seed_file), timeout=60) as base:
        yield {"base": base, "database": database_url, **json.loads(seed_file.read_text())}


@pytest.fixture(scope="module")
def microphone_browser(playwright_driver: Any) -> Iterator[Any]:
    """Chromium whose microphone is its built-in fake (a beep), granted without asking."""
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MICROPHONE)
    try:
        yield chromium
    finally:
        chromium.close()


def _page(browser: Any, site: dict[str, Any], who: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{site['base']}/console/login")
    page.fill("#email", site[who])
    page.fill("#password", site["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _wait_until(page: Any, expression: str, timeout_ms: int = 15_000) -> None:
    # Polled from here: wait_for_function evaluates strings with eval, which the app's CSP forbids.
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not true after {timeout_ms} ms: {expression}")


def _statuses(site: dict[str, Any]) -> list[tuple[int, str, str]]:
    engine = create_engine(site["database"])
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(  # type: ignore[misc]
                "SELECT version, status, source FROM prompt_recordings WHERE language = 'ps' ORDER BY version"))]
    finally:
        engine.dispose()


def test_a_translator_records_in_the_browser_and_a_supervisor_approves(
        microphone_browser: Any, studio_site: dict[str, Any], screenshots: Path) -> None:
    page = _page(microphone_browser, studio_site, "translator")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{studio_site['base']}/console/studio/ps/goodbye")
    for take in range(2):  # record, listen, then re-take
        page.click("#record-start")
        _wait_until(page, "document.getElementById('record-level').value > 0.01")  # the meter moves
        page.wait_for_timeout(1500)
        page.click("#record-stop")
        _wait_until(page, "!document.getElementById('record-take').hidden")
        assert page.get_attribute("#record-take", "src").startswith("blob:")
        assert page.is_enabled("#record-save"), f"take {take}"
    page.screenshot(path=str(screenshots / "studio-recorder.png"), full_page=True)
    with page.expect_navigation():
        page.click("#record-save")
    assert "Version 1 saved as a draft" in page.inner_text("body")
    assert _statuses(studio_site) == [(1, "draft", "browser")]
    assert page.locator("#version-1 button", has_text="Approve").count() == 0  # not by its author
    assert not errors, errors

    reviewer = _page(microphone_browser, studio_site, "supervisor")
    reviewer.goto(f"{studio_site['base']}/console/studio/ps/goodbye")
    duration = reviewer.inner_text("#version-1")
    reviewer.locator("#version-1 button", has_text="Approve").click()
    reviewer.wait_for_load_state()
    assert "The next call hears the approved version." in reviewer.inner_text("body")
    assert _statuses(studio_site) == [(1, "approved", "browser")]
    assert " s" in duration
    reviewer.goto(f"{studio_site['base']}/console/studio")
    assert reviewer.get_attribute('td[data-lang="ps"][data-prompt="goodbye"]', "data-audio") == "recorded"
    reviewer.screenshot(path=str(screenshots / "studio-matrix.png"), full_page=True)
