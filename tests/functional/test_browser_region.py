"""The regional pages in Debian's chromium: peers' texts shown as text (never run), adopting from the page, the
evaluations table scrolling in its own box on a small screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import running_server
from tests.functional.region_seed import HOSTILE
from tests.functional.test_browser_console import _SERVER as CONSOLE_SERVER

pytestmark = pytest.mark.browser

_SERVER = CONSOLE_SERVER.replace("from tests.functional.console_seed import seed\n",
                                 "from tests.functional.region_seed import seed\n")
assert _SERVER != CONSOLE_SERVER


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("region-live")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    seed_file = root / "seed.json"
    with running_server(root, app_config(database_url, root / "instance"), _SERVER, str(seed_file),
                        timeout=60) as base:
        yield {"base": base, **json.loads(seed_file.read_text())}


def _sign_in(page: Any, site: dict[str, Any], who: str) -> None:
    page.goto(f"{site['base']}/console/login")
    page.fill("#email", site[who])
    page.fill("#password", site["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_supervisor_searches_and_adopts_from_the_regional_library(page: Any, site: dict[str, Any],
                                                                    screenshots: Path) -> None:
    _sign_in(page, site, "supervisor")
    page.goto(f"{site['base']}/console/region/library")
    page.screenshot(path=str(screenshots / "region-library.png"), full_page=True)
    assert page.evaluate("window.pwned") is None
    assert HOSTILE in page.locator("#peer-message-4 h2").inner_text()
    assert "Used in my" in page.locator("#peer-message-2").inner_text()
    page.fill("input[name=rumour]", "মালয়েশিয়া")
    page.click(".filters button[type=submit]")
    assert page.locator(".library .card").count() == 2
    page.select_option("select[name=lang]", "bn")
    page.click(".filters button[type=submit]")
    assert page.locator(".library .card").count() == 1
    page.click("#peer-message-1 button")
    page.wait_for_load_state()
    assert "/console/library" in page.url
    assert "Adopted as 2 draft(s)" in page.locator(".notice").inner_text()
    assert page.locator("text=Adopted from bd").count() == 2
    page.screenshot(path=str(screenshots / "region-adopted.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_the_regional_campaigns_table_scrolls_in_its_own_box(page: Any, site: dict[str, Any], screenshots: Path,
                                                             width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    _sign_in(page, site, "analyst")
    page.goto(f"{site['base']}/console/region/evaluations")
    page.screenshot(path=str(screenshots / f"region-evaluations-{width}.png"), full_page=True)
    assert "Monsoon seas" in page.locator("table.table").inner_text()
    assert "-70%" in page.locator("table.table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
