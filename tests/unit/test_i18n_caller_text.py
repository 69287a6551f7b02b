"""Caller text in templates: always escaped, isolated in its own direction, never marked safe."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from hotline.i18n import BABEL_LOCALES, as_text, babel_identifier, register_filters, ui_code

TEMPLATES = Path(__file__).resolve().parents[2] / "hotline" / "templates"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<a href=\"javascript:alert(1)\">tap</a>",
    "' onmouseover='alert(1)",
    "&lt;already-escaped&gt; & <b>",
]


@pytest.fixture(scope="module")
def macros() -> object:
    """macros.html, in an environment configured as Flask configures the app's (autoescape for .html)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    register_filters(env)
    return env.get_template("macros.html").module


@pytest.mark.parametrize("text", HOSTILE)
def test_caller_text_is_escaped(macros: object, text: str) -> None:
    html = str(macros.caller_text(text))  # type: ignore[attr-defined]
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<b>" not in html
    inner = re.fullmatch(r'<bdi class="caller-text" dir="auto">(.*)</bdi>', html, flags=re.DOTALL)
    assert inner is not None, html
    assert htmllib.unescape(inner.group(1)) == text  # nothing lost, nothing interpreted


def test_caller_text_marked_safe_upstream_is_still_escaped(macros: object) -> None:
    html = str(macros.caller_text(Markup("<b>bold</b>")))  # type: ignore[attr-defined]
    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_caller_text_isolates_direction_overrides_and_escapes_the_language(macros: object) -> None:
    rlo = "\u202eevil.exe\u202c"  # RIGHT-TO-LEFT OVERRIDE: <bdi> keeps it from reordering the page around it
    html = str(macros.caller_text(rlo, lang='ur" onclick="x'))  # type: ignore[attr-defined]
    assert html.startswith('<bdi class="caller-text" dir="auto" lang="ur&#34; onclick=&#34;x">')
    assert rlo in html and html.endswith("</bdi>")


def test_caller_text_of_none_is_empty(macros: object) -> None:
    assert str(macros.caller_text(None)) == '<bdi class="caller-text" dir="auto"></bdi>'  # type: ignore[attr-defined]


def test_ltr_keeps_numbers_and_codes_left_to_right(macros: object) -> None:
    assert str(macros.ltr("+93 70• ••• •67")) == '<bdi class="ltr" dir="ltr">+93 70• ••• •67</bdi>'  # type: ignore[attr-defined]


def test_as_text_strips_markup() -> None:
    assert type(as_text(Markup("<i>x</i>"))) is str
    assert as_text(None) == ""
    assert as_text(42) == "42"


def test_no_template_marks_anything_safe() -> None:
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup\(", source), template


def test_dari_maps_to_cldrs_afghan_persian_and_back() -> None:
    assert babel_identifier("prs") == "fa_AF"
    assert babel_identifier("id") == "id"
    assert ui_code("fa_AF", ("en", "prs", "id")) == "prs"
    assert ui_code("id", ("en", "prs", "id")) == "id"
    assert ui_code(None, ("en",)) is None
    assert set(BABEL_LOCALES) == {"prs", "haz"}
