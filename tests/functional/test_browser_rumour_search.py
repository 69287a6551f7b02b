"""Rumour search on the report page in Debian's chromium: results appear as the operator types (no page load),
caller-derived statements stay text, a Dari query finds a rumour by its translation, and "Link" links in place."""

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
from tests.functional.console_seed import seed_rumour_search
config, port_file, seed_file = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
app = create_app(config)
seed_rumour_search(app, seed_file)
server = make_server("127.0.0.1", 0, app, threaded=True)
port_file.with_suffix(".tmp").write_text(str(server.server_port))
port_file.with_suffix(".tmp").replace(port_file)
server.serve_forever()
"""


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A live Hotline with an operator, a report and rumours to find."""
    database_url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(database_url)
    seed_file = tmp_path / "seed.json"
    with running_server(tmp_path, app_config(database_url, tmp_path / "instance"), _SERVER, str(seed_file),
                        timeout=60) as base:
        yield {"base": base, **json.loads(seed_file.read_text())}


def test_rumour_search_as_you_type_and_link(page: Any, site: dict[str, Any], screenshots: Path) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{site['base']}/console/login")
    page.fill("#email", site["operator"])
    page.fill("#password", site["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{site['base']}/console/reports/{site['report']}")
    loads: list[str] = []
    page.on("load", lambda _page: loads.append(page.url))

    page.locator("#rumour-q").press_sequentially("border", delay=30)
    border = page.locator(f'#rumour-results li[data-rumour="{site["border"]}"]')
    border.wait_for(state="visible", timeout=10_000)
    hostile = page.locator(f'#rumour-results li[data-rumour="{site["hostile"]}"]')
    assert "<img src=x onerror=window.pwned=1>" in hostile.inner_text()  # shown as text
    assert page.locator("#rumour-results img, #rumour-results b").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    page.screenshot(path=str(screenshots / "rumour-search.png"), full_page=True)

    page.fill("#rumour-q", "مرز استرالیا")  # Dari: found through the rumour's Dari translation
    hostile.wait_for(state="detached", timeout=10_000)
    assert page.locator("#rumour-results li.rumour-hit").count() == 1 and border.is_visible()

    page.locator(f'#rumour-results li[data-rumour="{site["border"]}"] button.link-rumour').click()
    page.locator("#action-status").wait_for(state="visible", timeout=10_000)
    assert "Rumour link saved." in page.inner_text("#action-status")
    assert f'#{site["border"]}' in page.inner_text("#h-rumour + p")
    assert loads == []  # searched, paged and linked without a page load
    assert not [e for e in errors if "Content Security Policy" in e]
