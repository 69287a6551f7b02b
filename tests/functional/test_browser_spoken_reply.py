"""The report page's spoken reply in Debian's chromium with its fake microphone: record an answer, watch the level,
listen, re-take, save; the answer is stored normalised for the phone line, and no page the operator sees holds the
caller's number. Screenshots land in HOTLINE_SCREENSHOT_DIR (default /tmp/hotline-screenshots)."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import running_server
from tests.functional.test_browser_studio import _page, _wait_until, microphone_browser

__all__ = ["microphone_browser"]
pytestmark = pytest.mark.browser
SENDER = "+93701112233"

_SERVER = """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from werkzeug.serving import make_server
from hotline.app import create_app
from hotline.callbacks.service import record_consent
from hotline.extensions import db
from tests.console_helpers import make_report
from tests.factories import STAFF_PASSWORD, make_staff
config, port_file, seed_file = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
app = create_app(config)
with app.app_context():
    make_staff(db.session(), "operator", email="op@hotline.test", languages=["en"])
    report = make_report(db.session(), sender=sys.argv[4])
    record_consent(db.session(), report.id, datetime.now(UTC))
    db.session.commit()
    seed_file.write_text(json.dumps({"operator": "op@hotline.test", "password": STAFF_PASSWORD, "report": report.id}))
server = make_server("127.0.0.1", 0, app, threaded=True)
port_file.with_suffix(".tmp").write_text(str(server.server_port))
port_file.with_suffix(".tmp").replace(port_file)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def spoken_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("spoken-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    seed_file = root / "seed.json"
    config = app_config(database_url, root / "instance")
    with running_server(root, config, _SERVER, str(seed_file), SENDER, timeout=60) as base:
        yield {"base": base, "database": database_url, **json.loads(seed_file.read_text())}


def _answers(site: dict[str, Any]) -> list[tuple[str, bytes]]:
    engine = create_engine(site["database"])
    try:
        with engine.connect() as connection:
            return [(row[0], bytes(row[1])) for row in connection.execute(text(
                "SELECT source, audio FROM spoken_replies WHERE report_id = :r ORDER BY id"), {"r": site["report"]})]
    finally:
        engine.dispose()


def test_an_operator_records_a_spoken_reply_in_the_browser(
        microphone_browser: Any, spoken_site: dict[str, Any], screenshots: Path) -> None:
    page = _page(microphone_browser, spoken_site, "operator")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    bodies: list[str] = []
    page.on("response", lambda r: bodies.append(r.text()) if r.request.resource_type in ("document", "fetch")
            and r.status == 200 else None)
    page.goto(f"{spoken_site['base']}/console/reports/{spoken_site['report']}")
    assert page.is_visible("#spoken-recorder")
    for take in range(2):  # record, listen, then re-take
        page.click("#record-start")
        _wait_until(page, "document.getElementById('record-level').value > 0.01")  # the meter moves
        page.wait_for_timeout(1500)
        page.click("#record-stop")
        _wait_until(page, "!document.getElementById('record-take').hidden")
        assert page.get_attribute("#record-take", "src").startswith("blob:")
        assert page.is_enabled("#record-save"), f"take {take}"
    with page.expect_navigation():
        page.click("#record-save")
    assert "Answer saved." in page.inner_text("body")
    assert page.is_visible("#spoken-answer audio") and page.is_visible("#spoken-call")
    page.screenshot(path=str(screenshots / "spoken-reply.png"), full_page=True)
    [(source, audio)] = _answers(spoken_site)
    with wave.open(io.BytesIO(audio)) as wav:
        assert source == "browser" and (wav.getframerate(), wav.getnchannels()) == (8000, 1)
        assert wav.getnframes() > 8000 // 2  # speech kept, silence trimmed
    assert not errors, errors
    for body in [*bodies, page.content()]:
        assert SENDER not in body and SENDER[3:] not in body
