"""Pages rendered through the catalogues: language choice, cookie, direction, translated errors, static caching."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

HEADINGS = {
    "en": "A hotline you can call or text in your own language",
    "prs": "خط تماسی که می‌توانید به زبان خود به آن زنگ بزنید یا پیام بفرستید",
    "id": "Saluran bantuan yang bisa Anda telepon atau kirimi pesan dalam bahasa Anda sendiri",
}
PAGE_BUDGET_BYTES = 50 * 1024


def _html_tag(body: str) -> str:
    match = re.search(r"<html [^>]*>", body)
    assert match
    return match.group(0)


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("prs", "rtl"), ("id", "ltr")])
def test_lang_parameter_picks_the_language_and_is_remembered(client: FlaskClient, lang: str, direction: str) -> None:
    response = client.get(f"/?lang={lang}")
    body = response.get_data(as_text=True)
    assert _html_tag(body) == f'<html lang="{lang}" dir="{direction}">'
    assert HEADINGS[lang] in body
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"hotline_lang={lang};") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert {"Cookie", "Accept-Language"} <= set(response.vary)

    again = client.get("/")  # the cookie, not the parameter, now decides
    assert HEADINGS[lang] in again.get_data(as_text=True)
    assert "Set-Cookie" not in again.headers


def test_unknown_language_is_ignored(client: FlaskClient) -> None:
    response = client.get("/?lang=xx", headers={"Accept-Language": "de"})
    assert HEADINGS["en"] in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("header", "lang"), [("fa-AF,fa;q=0.8", "prs"), ("prs", "prs"), ("id-ID,id;q=0.9", "id"),
                                              ("th,en;q=0.5", "en")])
def test_browser_preference_is_understood(client: FlaskClient, header: str, lang: str) -> None:
    body = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert HEADINGS[lang] in body


def test_error_page_speaks_the_visitors_language(client: FlaskClient) -> None:
    response = client.get("/no-such-page?lang=prs")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert _html_tag(body) == '<html lang="prs" dir="rtl">'
    assert "پیدا نشد" in body and "اینجا چیزی وجود ندارد." in body and "Not Found" not in body

    api = client.get("/api/v1/no-such-thing?lang=prs")
    assert api.status_code == 404 and api.is_json  # JSON errors keep their shape


def test_landing_page_names_every_language_in_the_ui_language(client: FlaskClient) -> None:
    body = client.get("/?lang=id").get_data(as_text=True)
    for native in ("دری", "پښتو", "اردو", "বাংলা", "සිංහල", "தமிழ்", "ދިވެހި", "ไทย", "Bahasa Melayu", "English"):
        assert native in body
    assert "Bahasa Dari" in body and "Inggris" in body  # Indonesian names beside the native ones


def test_static_files_are_cached_for_a_year_behind_content_digests(client: FlaskClient) -> None:
    body = client.get("/").get_data(as_text=True)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', body)
    assert len(stylesheets) == 2 and all(re.search(r"\?v=[0-9a-f]{12}$", href) for href in stylesheets)
    for href in stylesheets:
        response = client.get(href)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        response.close()


def test_landing_page_is_light(client: FlaskClient) -> None:
    """HTML plus stylesheets under 50 KB (fonts excluded: each script's font comes only with that script)."""
    html = client.get("/").get_data()
    size = len(html)
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)">', html.decode()):
        with client.get(href) as response:
            size += len(response.get_data())
    assert size < PAGE_BUDGET_BYTES
