"""caller_text() in a real browser: hostile markup never runs, and each text keeps its own direction in any page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hotline.i18n import register_filters

pytestmark = pytest.mark.browser

TEMPLATES = Path(__file__).resolve().parents[2] / "hotline" / "templates"
PAYLOADS = [
    "<script>window.pwned = 1</script>",
    '<img src="x" onerror="window.pwned = 1">',
    '"><svg onload="window.pwned = 1">',
    "<a href=\"javascript:window.pwned = 1\" id=\"lure\">tap</a>",
]


def _render(page_lang: str, page_dir: str, *texts: str) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    register_filters(env)
    caller_text = env.get_template("macros.html").module.caller_text  # type: ignore[attr-defined]
    items = "".join(f'<li id="t{i}">{caller_text(text)} <span class="after">#{i}</span></li>'
                    for i, text in enumerate(texts))
    return f'<!doctype html><html lang="{page_lang}" dir="{page_dir}"><body><ul>{items}</ul></body></html>'


def test_hostile_caller_text_is_shown_not_run(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/healthz")  # a same-origin document, so javascript: would have somewhere to run
    page.set_content(_render("en", "ltr", *PAYLOADS))
    if page.locator("#lure").count():
        page.locator("#lure").click()
    assert page.evaluate("window.pwned") is None
    assert page.locator("img, svg, script, a").count() == 0
    for i, payload in enumerate(PAYLOADS):
        assert page.locator(f"#t{i} .caller-text").inner_text() == payload


@pytest.mark.parametrize(("page_lang", "page_dir"), [("en", "ltr"), ("prs", "rtl")])
def test_caller_text_takes_its_own_direction(page: Any, page_lang: str, page_dir: str) -> None:
    page.set_content(_render(page_lang, page_dir, "آیا مرز باز است؟", "is the border open?", "\u202eevil"))
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("#t0 .caller-text").evaluate(direction) == "rtl"  # Dari text, whatever the page
    assert page.locator("#t1 .caller-text").evaluate(direction) == "ltr"  # English text, whatever the page
    # An RTL override inside caller text stays inside it: what follows keeps the page's order.
    text_box = page.locator("#t2 .caller-text").bounding_box()
    after_box = page.locator("#t2 .after").bounding_box()
    if page_dir == "ltr":
        assert after_box["x"] >= text_box["x"] + text_box["width"] - 1
    else:
        assert after_box["x"] + after_box["width"] <= text_box["x"] + 1
