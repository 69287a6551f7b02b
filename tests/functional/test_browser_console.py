"""The console in Debian's chromium: triage end to end, a supervisor approving a message, a Dari (RTL) page.

Screenshots land in the ``screenshots`` folder (HOTLINE_SCREENSHOT_DIR, default /tmp/hotline-screenshots).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.fakes.twilio_api import FakeTwilioApi
from tests.functional.conftest import running_server

pytestmark = pytest.mark.browser

_SERVER = """
import json, sys
from pathlib import Path
from werkzeug.serving import make_server
from hotline.app import create_app
from tests.functional.console_seed import seed
config, port_file, seed_file = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
app = create_app(config)
seed(app, seed_file)
server = make_server("127.0.0.1", 0, app, threaded=True)
port_file.with_suffix(".tmp").write_text(str(server.server_port))
port_file.with_suffix(".tmp").replace(port_file)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A live Hotline with seeded staff and reports, replying through a local fake of Twilio."""
    root = tmp_path_factory.mktemp("console-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    with FakeTwilioApi() as fake:
        config = app_config(database_url, root / "instance", HOTLINE_TWILIO_API_BASE=fake.base_url)
        seed_file = root / "seed.json"
        with running_server(root, config, _SERVER, str(seed_file), timeout=60) as base:
            yield {"base": base, "twilio": fake, **json.loads(seed_file.read_text())}


def _sign_in(page: Any, site: dict[str, Any], who: str) -> None:
    page.goto(f"{site['base']}/console/login")
    page.fill("#email", site[who])
    page.fill("#password", site["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_operator_triages_a_report_end_to_end(page: Any, site: dict[str, Any], screenshots: Path) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, site, "operator")
    assert page.url.endswith("/console/")
    row = page.locator(f'li[data-report="{site["english"]}"]')
    assert "Is the border to Australia open now?" in row.inner_text()
    # Hostile caller text is shown, never run, and a 400-letter "word" does not widen the page.
    assert page.evaluate("window.pwned") is None
    assert "<script>window.pwned=1</script>" in page.locator(f'li[data-report="{site["hostile"]}"]').inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshots / "console-queue.png"), full_page=True)
    row.locator("button", has_text="Claim").click()
    page.wait_for_url(f"**/console/reports/{site['english']}")
    assert "The report is yours." in page.inner_text("body")

    page.select_option("#coding-type", "question")
    page.select_option("#coding-category", "destination_policy")
    page.locator("form[action$='/code'] button", has_text="Save coding").click()
    page.locator("#action-status").filter(has_text="Coding saved.").wait_for()  # saved without a page load

    page.click("#counter-picker a")  # JS fills the reply and updates the counter live
    assert page.input_value("#reply-body").startswith("The border is not open")
    assert page.inner_text("#sms-cost").startswith("GSM-7")
    page.fill("#reply-body", "آیا")  # Arabic script: UCS-2, counted in the browser
    assert page.inner_text("#sms-cost").startswith("UCS-2")
    page.fill("#reply-body", "")
    page.click("#counter-picker a")
    page.click("text=Send reply")
    page.locator("#action-status").filter(has_text="Reply queued for sending.").wait_for()
    page.click('text="Mark answered"')
    page.locator("#action-status").filter(has_text="Marked as answered.").wait_for()
    page.screenshot(path=str(screenshots / "console-report-answered.png"), full_page=True)
    assert [r.form["Body"] for r in site["twilio"].messages] == [
        "The border is not open to boats. Legal pathways: ask us."]
    assert not [e for e in errors if "Content Security Policy" in e]


def test_supervisor_approves_a_counter_message(page: Any, site: dict[str, Any], screenshots: Path) -> None:
    _sign_in(page, site, "supervisor")
    page.goto(f"{site['base']}/console/library?status=draft")
    card = page.locator(f"#message-{site['draft']}")
    card.locator("button", has_text="Approve").click()
    assert "Counter-message updated." in page.inner_text("body")
    assert "Approved" in page.locator(f"#message-{site['draft']}").inner_text()
    page.screenshot(path=str(screenshots / "console-library-approved.png"), full_page=True)


def test_dari_console_is_right_to_left_and_caller_text_keeps_its_direction(
        page: Any, site: dict[str, Any], screenshots: Path) -> None:
    _sign_in(page, site, "dari")
    page.goto(f"{site['base']}/console/queue")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "prs"
    assert page.locator(".console-nav a").first.inner_text() == "صف"
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("main").evaluate(direction) == "rtl"
    text = page.locator(f'li[data-report="{site["farsi"]}"] .caller-text')
    assert text.evaluate(direction) == "rtl"
    # Logical properties: the row's accent border sits on the right in RTL.
    row = page.locator(f'li[data-report="{site["farsi"]}"]')
    assert row.evaluate("el => getComputedStyle(el).borderRightWidth") == "4px"
    families = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans Arabic" in families
    page.screenshot(path=str(screenshots / "console-queue-prs.png"), full_page=True)
    page.goto(f"{site['base']}/console/reports/{site['farsi']}")
    assert page.locator(".report-text .caller-text").evaluate(direction) == "rtl"
    page.screenshot(path=str(screenshots / "console-report-prs.png"), full_page=True)


def test_each_rumour_suggestion_reads_on_one_line(page: Any, site: dict[str, Any]) -> None:
    _sign_in(page, site, "operator")
    page.goto(f"{site['base']}/console/reports/{site['english']}")
    suggestion = page.locator("#h-rumour ~ form fieldset label").first
    assert "Australia" in suggestion.inner_text()
    boxes = suggestion.evaluate(
        "label => [...label.children].map(child => { const r = child.getBoundingClientRect();"
        " return [r.top, r.bottom]; })")
    assert len(boxes) >= 2
    assert max(top for top, _ in boxes) < min(bottom for _, bottom in boxes)  # side by side, not stacked
