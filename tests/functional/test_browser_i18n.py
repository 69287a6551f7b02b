"""The landing page in a real browser: language, direction, web fonts for every script, the language switcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import fonts_loaded

pytestmark = pytest.mark.browser

# Every script the hotline's languages are written in, the family fonts.css serves it with, and a sample.
SCRIPTS = {
    "Latin": ("Noto Sans", "Bahasa Indonesia"),
    "Arabic": ("Noto Sans Arabic", "دری"),
    "Nastaliq": ("Noto Nastaliq Urdu", "اردو"),
    "Bengali": ("Noto Sans Bengali", "বাংলা"),
    "Sinhala": ("Noto Sans Sinhala", "සිංහල"),
    "Tamil": ("Noto Sans Tamil", "தமிழ்"),
    "Thaana": ("Noto Sans Thaana", "ދިވެހި"),
    "Thai": ("Noto Sans Thai", "ไทย"),
}


def _open(page: Any, url: str) -> list[str]:
    """Go to ``url`` and return every URL the page requested (collected while loading it)."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return requested


@pytest.mark.parametrize(("lang", "direction", "heading"), [
    ("en", "ltr", "A hotline you can call or text in your own language"),
    ("prs", "rtl", "خط تماسی که می‌توانید به زبان خود به آن زنگ بزنید یا پیام بفرستید"),
    ("id", "ltr", "Saluran bantuan yang bisa Anda telepon atau kirimi pesan dalam bahasa Anda sendiri"),
])
def test_landing_page_follows_the_ui_language(page: Any, live_server: str, screenshots: Path,
                                              lang: str, direction: str, heading: str) -> None:
    _open(page, f"{live_server}/?lang={lang}")
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == direction
    assert page.evaluate("getComputedStyle(document.body).direction") == direction
    assert page.locator("h1").inner_text() == heading
    brand, nav = page.locator(".brand").bounding_box(), page.locator("nav.locales").bounding_box()
    if direction == "rtl":  # the header is mirrored: the name on the right, the languages on the left
        assert brand["x"] > nav["x"] + nav["width"] - 1
    else:
        assert brand["x"] + brand["width"] < nav["x"] + 1
    page.screenshot(path=str(screenshots / f"landing-{lang}.png"), full_page=True)


def test_every_script_renders_with_the_apps_own_fonts(page: Any, live_server: str, screenshots: Path) -> None:
    requested = _open(page, f"{live_server}/?lang=en")
    loaded = {(face["family"], face["weight"]) for face in fonts_loaded(page) if face["status"] == "loaded"}
    for script, (family, sample) in SCRIPTS.items():
        assert (family, "400") in loaded, f"{script}: no {family} face loaded"
        assert page.evaluate("([font, text]) => document.fonts.check(font, text)", [f'16px "{family}"', sample])
        # The sample is on the page, in an element whose computed font stack starts with its family or falls to it.
        assert page.get_by_text(sample, exact=True).first.is_visible()
    fonts = [url for url in requested if url.endswith(".woff2")]
    assert fonts, "no web font requested"
    assert all(url.startswith(f"{live_server}/static/fonts/") for url in fonts), fonts  # never a CDN
    assert all(url.startswith(live_server) for url in requested), "the page reached beyond its own server"
    page.screenshot(path=str(screenshots / "landing-every-script.png"), full_page=True)


def test_fonts_are_downloaded_only_for_scripts_on_the_page(page: Any, live_server: str) -> None:
    # An error page in English: Latin text, plus the language switcher's English, دری and Bahasa Indonesia.
    requested = _open(page, f"{live_server}/no-such-page?lang=en")
    assert page.locator("h1").inner_text().startswith("404")
    fonts = sorted(Path(url.split("?")[0]).name for url in requested if ".woff2" in url)
    assert any(name.startswith("noto-sans-latin-400-") for name in fonts), fonts
    assert any(name.startswith("noto-sans-arabic-arabic-400-") for name in fonts), fonts
    for absent in ("bengali", "sinhala", "tamil", "thaana", "thai", "nastaliq"):
        assert not any(absent in name for name in fonts), f"{absent} font downloaded for a page without it: {fonts}"


def test_language_switcher_sets_and_keeps_the_language(page: Any, live_server: str, screenshots: Path) -> None:
    _open(page, f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator('nav.locales a[hreflang="id"]').click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "id"
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("hotline_lang") == "id"
    page.goto(f"{live_server}/", wait_until="networkidle")  # no ?lang=: the cookie keeps Indonesian
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator('nav.locales a[aria-current="true"]').get_attribute("hreflang") == "id"
    page.locator('nav.locales a[hreflang="prs"]').click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/no-such-page", wait_until="networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text().endswith("پیدا نشد")
    page.screenshot(path=str(screenshots / "error-prs.png"), full_page=True)
