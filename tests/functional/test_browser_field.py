"""The /field form in Debian's chromium: a Dari (RTL) page under 50 KB, sent online, offline (outbox) and without JS."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import running_server

pytestmark = pytest.mark.browser

# Run in a child: register a Dari-speaking focal point in the server's database and print their number and PIN.
_SEED = """
import json, sys
from hotline.app import create_app
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.field.registry import issue_credentials, register
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    rt = runtime()
    point = register(db.session(), {"display_name": "ملا <b>نمونه</b>", "kind": "religious_leader", "country": "AF",
                     "admin1": "AF-KAB", "languages": ["prs"], "phone": "+93701231234"}, rt.keys, 90,
                     set(rt.languages.codes), None, utcnow())
    issued = issue_credentials(db.session(), point, None, utcnow())
    db.session.commit()
    print(json.dumps({"number": point.public_number, "pin": issued.pin}))
"""


@pytest.fixture(scope="module")
def field_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """A live server whose database holds one focal point; yields its base URL and their number and PIN."""
    root = tmp_path_factory.mktemp("field-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    config = app_config(database_url, root / "instance")
    seeded = subprocess.run([sys.executable, "-c", _SEED, json.dumps(config)], capture_output=True, text=True,
                            check=True)
    credentials = json.loads(seeded.stdout.strip().splitlines()[-1])
    with running_server(root, config) as base:
        yield base, credentials


def _sign_in(page: Any, base: str, credentials: dict[str, Any]) -> None:
    page.goto(f"{base}/field/sign-in")
    page.fill("#number", str(credentials["number"]))
    page.fill("#pin", credentials["pin"])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/field")


def _fill(page: Any, text: str, people: str = "14") -> None:
    page.fill("#text", text)
    page.fill("#people", people)
    page.check("input[name=source][value=agent_smuggler]")


def test_the_dari_form_is_rtl_light_and_sends(page: Any, field_server: tuple[str, dict[str, Any]],
                                              screenshots: Path) -> None:
    base, credentials = field_server
    _sign_in(page, base, credentials)
    sizes: dict[str, int] = {}
    page.on("response", lambda response: sizes.__setitem__(response.url, len(response.body()))
            if response.status == 200 else None)
    page.goto(f"{base}/field", wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert sum(sizes.values()) < 50_000, sizes  # HTML, CSS, JS and every font actually loaded
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "prs"
    assert page.locator("h1").inner_text() == "مردم چه می‌گویند؟"
    assert page.locator("header bdi").inner_text() == "ملا <b>نمونه</b>"  # shown as text, not markup
    _fill(page, "می‌گویند مرز در ماه حمل باز می‌شود")
    page.click("#field-report button[type=submit]")
    page.wait_for_selector("#outbox-status:has-text('فرستاده شد')")
    page.screenshot(path=str(screenshots / "field-form-prs.png"), full_page=True)
    assert page.evaluate("localStorage.getItem('hotline-field-outbox')") == "[]"


def test_offline_reports_wait_in_the_outbox(page: Any, field_server: tuple[str, dict[str, Any]]) -> None:
    base, credentials = field_server
    _sign_in(page, base, credentials)
    page.context.set_offline(True)
    _fill(page, "قایق‌ها روز جمعه حرکت می‌کنند", people="3")  # noqa: RUF001
    page.click("#field-report button[type=submit]")
    page.wait_for_selector("#outbox-status:has-text('ذخیره شد')")
    assert len(json.loads(page.evaluate("localStorage.getItem('hotline-field-outbox')"))) == 1
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#outbox-status:has-text('فرستاده شد')")
    assert page.evaluate("localStorage.getItem('hotline-field-outbox')") == "[]"


def test_the_form_works_without_javascript(browser: Any, field_server: tuple[str, dict[str, Any]]) -> None:
    base, credentials = field_server
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        _sign_in(page, base, credentials)
        _fill(page, "The border opens in March")
        page.click("#field-report button[type=submit]")
        page.wait_for_url(f"{base}/field/thanks/*")
        assert page.locator("h1").inner_text() == "تشکر"
    finally:
        context.close()
