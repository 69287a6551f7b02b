"""The in-call panel in Debian's chromium, Twilio's Device replaced by the test double of test_browser_phone: the
operator answers, Twilio (signed, from the test) runs the TwiML App's webhook, the panel shows the caller's
pseudonymous history and the report for this call, and the operator's coding, answer and outcome are saved while
the call goes on. Nothing the page receives names the caller."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.factories import sid, sign
from tests.fakes.twilio_api import FakeTwilioApi
from tests.functional.conftest import running_server
from tests.functional.test_browser_phone import _DEVICE_DOUBLE, _SERVER, _body

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("phone-call")
    database = root / "live.sqlite3"
    upgrade(f"sqlite:///{database}")
    with FakeTwilioApi() as twilio:
        config = app_config(f"sqlite:///{database}", root / "instance", HOTLINE_TWILIO_API_BASE=twilio.base_url,
                            HOTLINE_TWILIO_API_KEY_SID="SK" + "5" * 32, HOTLINE_TWILIO_API_KEY_SECRET="s" * 32,
                            HOTLINE_TWILIO_TWIML_APP_SID="AP" + "6" * 32)
        seed_file = root / "seed.json"
        with running_server(root, config, _SERVER, str(seed_file), timeout=60) as base:
            yield {"base": base, "database": database, "twilio": twilio, **json.loads(seed_file.read_text())}


def _twilio_post(url: str, form: dict[str, str]) -> bytes:
    """POST ``form`` to ``url`` as Twilio does, signed."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST",  # noqa: S310
                                     headers={"X-Twilio-Signature": sign(url, form)})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return bytes(response.read())


def test_the_in_call_panel_shows_history_and_saves_the_wrap_up(page: Any, site: dict[str, Any],
                                                                screenshots: Path) -> None:
    received: list[str] = []
    page.on("response", lambda response: received.append(_body(response)))
    page.route("**/static/vendor/twilio-voice-sdk/**",
               lambda route: route.fulfill(status=200, content_type="text/javascript", body=_DEVICE_DOUBLE))
    page.goto(f"{site['base']}/console/login")
    page.fill("#email", site["operator"])
    page.fill("#password", site["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{site['base']}/console/phone")
    page.click("#phone-online")
    page.wait_for_selector("#softphone[data-state=incoming]")
    assert not page.is_visible("#phone-call")
    page.click("#phone-answer")
    page.wait_for_selector("#softphone[data-state=connecting]")
    # The Device would now call the TwiML App: Twilio asks its Voice URL, which takes the waiting caller.
    identity = page.evaluate("fetch('/console/phone/token').then(r => r.json()).then(b => b.identity)")
    twiml = _twilio_post(f"{site['base']}/twilio/voice/operator", {"CallSid": sid("CA"), "From": f"client:{identity}"})
    assert b"<Conference" in twiml
    page.evaluate("window.__phone.calls[0].emit('accept')")
    page.wait_for_selector("#softphone[data-state=in-call]")
    page.wait_for_selector("#call-panel")
    assert page.locator("#call-history li").count() == 1  # the caller's earlier text, by pseudonym
    report_link = page.get_attribute("#call-report", "href")
    assert report_link and report_link.startswith("/console/reports/")
    page.select_option("#call-type", "question")
    page.fill("#call-answer", "Told them the job offer is a known scam.")
    page.select_option("#call-outcome", "answered")
    page.click("#call-save")
    page.wait_for_selector("#call-saved:not([hidden])")
    assert page.get_attribute("#phone-call", "data-saved") == "true"
    assert page.locator("#softphone").get_attribute("data-state") == "in-call"  # the call went on
    page.screenshot(path=str(screenshots / "softphone-call-panel.png"))
    page.click("#phone-hangup")
    page.wait_for_selector("#softphone[data-state=wrap-up]")
    with sqlite3.connect(site["database"]) as db:
        row = db.execute("SELECT outcome, answer_note, wrapped_at, report_id, wait_seconds "
                         "FROM operator_calls").fetchone()
        coded = db.execute("SELECT type, status FROM reports WHERE id = ?", (row[3],)).fetchone()
    assert row[0] == "answered" and row[1] == "Told them the job offer is a known scam." and row[2] is not None
    assert row[4] >= 100  # the seeded caller waited two minutes
    assert coded == ("question", "answered")
    number = site["number"]
    assert not [body for body in received if number in body or number.lstrip("+") in body]
