"""The /field form records a voice note in Debian's chromium (its fake microphone), and the report keeps it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.functional.test_browser_field import _SEED, _fill, _sign_in

pytestmark = pytest.mark.browser
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def voice_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A live server with one Dari-speaking focal point; its base URL, their credentials and the database."""
    root = tmp_path_factory.mktemp("field-voice-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    config = app_config(database_url, root / "instance")
    seeded = subprocess.run([sys.executable, "-c", _SEED, json.dumps(config)], capture_output=True, text=True,
                            check=True)
    credentials = json.loads(seeded.stdout.strip().splitlines()[-1])
    with running_server(root, config) as base:
        yield {"base": base, "credentials": credentials, "database": database_url, "instance": root / "instance"}


@pytest.fixture(scope="module")
def microphone_browser(playwright_driver: Any) -> Iterator[Any]:
    """Chromium whose microphone is its built-in fake (a beep), granted without asking."""
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MICROPHONE)
    try:
        yield chromium
    finally:
        chromium.close()


def _wait_until(page: Any, expression: str, timeout_ms: int = 15_000) -> None:
    # Polled from here: wait_for_function evaluates strings with eval, which the app's CSP forbids.
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not true after {timeout_ms} ms: {expression}")


def test_a_focal_point_records_a_voice_note_and_sends_it(microphone_browser: Any,
                                                         voice_site: dict[str, Any]) -> None:
    context = microphone_browser.new_context(viewport={"width": 420, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = voice_site["base"]
        _sign_in(page, base, voice_site["credentials"])
        assert page.is_visible("#voice-start")  # shown only where MediaRecorder and a microphone exist
        page.click("#voice-start")
        page.wait_for_timeout(1500)
        page.click("#voice-stop")
        _wait_until(page, "document.getElementById('voice_note').files.length === 1")
        kind = page.evaluate("document.getElementById('voice_note').files[0].type")
        assert kind in ("audio/ogg", "audio/webm")
        assert page.get_attribute("#voice-take", "src").startswith("blob:")
        _fill(page, "")  # no text: the voice note is the report
        page.click("#field-report button[type=submit]")
        page.wait_for_url(f"{base}/field/thanks/*")
        assert not errors, errors
    finally:
        context.close()
    engine = create_engine(voice_site["database"])
    try:
        with engine.connect() as connection:
            stored = connection.execute(text(
                "SELECT r.storage_path, r.content_type FROM reports p JOIN recordings r ON r.id = p.recording_id "
                "WHERE p.channel = 'field'")).all()
    finally:
        engine.dispose()
    assert len(stored) == 1 and stored[0][1] in ("audio/ogg", "audio/webm")
    note = voice_site["instance"] / "field-voice-notes" / stored[0][0]
    assert note.stat().st_size > 1000
