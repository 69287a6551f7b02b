"""Console tables in Debian's chromium: words and e-mail addresses are never broken mid-word, and a table wider
than a small screen scrolls sideways in its own box instead of widening the page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.migrate import upgrade
from tests.conftest import app_config
from tests.functional.conftest import running_server
from tests.functional.console_seed import LONG_EMAIL
from tests.functional.test_browser_console import _SERVER as CONSOLE_SERVER

pytestmark = pytest.mark.browser

# The console tests' live server, seeded with this file's data instead.
_SERVER = CONSOLE_SERVER.replace("import seed\n", "import seed_tables as seed\n")
assert _SERVER != CONSOLE_SERVER

# How many lines each table cell's words take: a cell whose words were split holds a word on two lines.
_SPLIT_WORDS = """table => {
  const split = [];
  for (const cell of table.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const match of text.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("console-tables")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    upgrade(database_url)
    config = app_config(database_url, root / "instance")
    seed_file = root / "seed.json"
    with running_server(root, config, _SERVER, str(seed_file), timeout=60) as base:
        yield {"base": base, **json.loads(seed_file.read_text())}


def _sign_in(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{site['base']}/console/login")
    page.fill("#email", site["supervisor"])
    page.fill("#password", site["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("path", ["/console/audit", "/console/rumours"])
def test_table_cells_break_between_words_only(page: Any, site: dict[str, Any], screenshots: Path, path: str,
                                              width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    _sign_in(page, site)
    page.goto(f"{site['base']}{path}")
    table = page.locator("table.table")
    assert table.locator("tbody tr").count() >= 2
    page.screenshot(path=str(screenshots / f"console-table{path.replace('/', '-')}-{width}.png"), full_page=True)
    assert table.evaluate(_SPLIT_WORDS) == []
    if path == "/console/audit":
        assert LONG_EMAIL in table.inner_text()
    # The page itself never scrolls sideways: a wide table scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
