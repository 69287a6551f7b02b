"""The softphone in Debian's chromium, with Twilio's Device replaced by a test double: offline, ready, incoming
(a caller waits), in call, wrap-up; and nothing the page receives names the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import running_server

pytestmark = pytest.mark.browser

_SERVER = """
import json, sys
from pathlib import Path
from werkzeug.serving import make_server
from hotline.app import create_app
from tests.functional.phone_seed import seed_phone
config, port_file, seed_file = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
app = create_app(config)
seed_phone(app, seed_file)
server = make_server("127.0.0.1", 0, app, threaded=True)
port_file.with_suffix(".tmp").write_text(str(server.server_port))
port_file.with_suffix(".tmp").replace(port_file)
server.serve_forever()
"""

# Twilio.Device as the page uses it: a constructor taking the token, on(), updateToken(), connect() -> a Call with
# on() and disconnect(). The test drives the call's events through window.__phone.
_DEVICE_DOUBLE = """
window.__phone = {tokens: [], calls: []};
function FakeCall() { this.handlers = {}; }
FakeCall.prototype.on = function (name, fn) { this.handlers[name] = fn; return this; };
FakeCall.prototype.emit = function (name) { if (this.handlers[name]) { this.handlers[name](); } };
FakeCall.prototype.disconnect = function () { this.emit("disconnect"); };
function FakeDevice(token, options) { window.__phone.tokens.push(token); this.options = options; }
FakeDevice.prototype.on = function () { return this; };
FakeDevice.prototype.updateToken = function (token) { window.__phone.tokens.push(token); };
FakeDevice.prototype.connect = function () {
  var call = new FakeCall(); window.__phone.calls.push(call); return Promise.resolve(call);
};
window.Twilio = {Device: FakeDevice};
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("phone-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    config = app_config(database_url, root / "instance", HOTLINE_TWILIO_API_KEY_SID="SK" + "5" * 32,
                        HOTLINE_TWILIO_API_KEY_SECRET="s" * 32, HOTLINE_TWILIO_TWIML_APP_SID="AP" + "6" * 32)
    seed_file = root / "seed.json"
    with running_server(root, config, _SERVER, str(seed_file), timeout=60) as base:
        yield {"base": base, **json.loads(seed_file.read_text())}


def test_softphone_states_with_a_device_double(page: Any, site: dict[str, Any], screenshots: Path) -> None:
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
    phone = page.locator("#softphone")
    assert phone.get_attribute("data-state") == "offline"
    page.click("#phone-online")
    page.wait_for_selector("#softphone[data-state=incoming]")  # the seeded Dari caller waits
    assert page.evaluate("window.__phone.tokens.length") == 1
    page.click("#phone-answer")
    page.wait_for_selector("#softphone[data-state=connecting]")
    page.evaluate("window.__phone.calls[0].emit('accept')")
    page.wait_for_selector("#softphone[data-state=in-call]")
    assert page.is_visible("#phone-hangup")
    page.screenshot(path=str(screenshots / "softphone-in-call.png"))
    page.click("#phone-hangup")
    page.wait_for_selector("#softphone[data-state=wrap-up]")
    assert page.is_visible("#phone-ready") and not page.is_visible("#phone-answer")
    page.click("#phone-ready")
    page.wait_for_selector("#softphone[data-state=incoming]")
    number = site["number"]
    assert not [body for body in received if number in body or number.lstrip("+") in body]
    csp = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "wss://*.twilio.com" in csp and "script-src 'self';" in csp


def _body(response: Any) -> str:
    try:
        return str(response.text())
    except Exception:  # redirects and aborted responses have no body
        return ""
