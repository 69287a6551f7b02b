"""The web fonts the app serves itself: every face local, woff2, swap, split by unicode-range, licensed, small."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "hotline" / "static"
FACE = re.compile(r"@font-face\s*{([^}]*)}")
FAMILIES = {"Noto Sans", "Noto Sans Arabic", "Noto Nastaliq Urdu", "Noto Sans Bengali", "Noto Sans Sinhala",
            "Noto Sans Tamil", "Noto Sans Thaana", "Noto Sans Thai"}
MAX_TOTAL_BYTES = 3 * 1024 * 1024


def _faces() -> list[str]:
    return FACE.findall((STATIC / "fonts.css").read_text(encoding="utf-8"))


def test_every_face_is_a_local_woff2_with_swap_and_a_unicode_range() -> None:
    faces = _faces()
    assert faces
    for face in faces:
        urls = re.findall(r"url\(([^)]+)\)", face)
        # Local (never a CDN), and versioned: static files are cached for a year, so a new font needs a new URL.
        assert urls and all(re.fullmatch(r"fonts/[\w-]+-v\d+\.\d+\.\d+\.woff2", url) for url in urls), face
        assert all((STATIC / url).is_file() for url in urls), urls
        assert "font-display: swap" in face
        assert re.search(r"unicode-range:\s*U\+", face), face


def test_every_script_family_has_regular_and_bold() -> None:
    weights: dict[str, set[str]] = {}
    for face in _faces():
        family = re.search(r"font-family:\s*'([^']+)'", face)
        weight = re.search(r"font-weight:\s*(\d+)", face)
        assert family and weight
        weights.setdefault(family.group(1), set()).add(weight.group(1))
    assert weights == {family: {"400", "700"} for family in FAMILIES}


def test_the_stylesheet_uses_the_served_families() -> None:
    css = (STATIC / "hotline.css").read_text(encoding="utf-8")
    for family in FAMILIES:
        assert f'"{family}"' in css, family
    assert "http:" not in css and "https:" not in css


def test_fonts_are_licensed_and_small() -> None:
    fonts = STATIC / "fonts"
    woff2 = list(fonts.glob("*.woff2"))
    referenced = {Path(url).name for face in _faces() for url in re.findall(r"url\(([^)]+)\)", face)}
    assert {path.name for path in woff2} == referenced  # nothing shipped that no page can use
    assert sum(path.stat().st_size for path in woff2) < MAX_TOTAL_BYTES
    licences = list(fonts.glob("OFL-*.txt"))
    assert len(licences) == len(FAMILIES)
    assert all("SIL Open Font License" in path.read_text(encoding="utf-8") for path in licences)
