"""Server-side SVG charts: well-formed, escaped, gaps for suppressed points, outlined text for PNG."""

from __future__ import annotations

import xml.dom.minidom

import pytest

from hotline.trends.glyphs import NOTO_DIR, font_file
from hotline.trends.svgchart import bar_chart, line_chart


def parse(svg: str) -> xml.dom.minidom.Document:
    return xml.dom.minidom.parseString(svg)  # noqa: S318 - our own output


def test_line_chart_escapes_labels_and_leaves_gaps() -> None:
    svg = line_chart("Reports <per> week", ["2026-W47", "2026-W48", "2026-W49"],
                     [("</text><script>alert(1)</script>", [3, None, 8]), ("ps", [1, 2, 3])])
    document = parse(svg)
    assert not document.getElementsByTagName("script")
    assert "&lt;/text&gt;&lt;script&gt;" in svg
    # The suppressed middle week splits the first series into two single points; the second is one line.
    assert len(document.getElementsByTagName("circle")) == 2
    assert len(document.getElementsByTagName("polyline")) == 1
    ticks = [t.firstChild.data for t in document.getElementsByTagName("text") if t.getAttribute("text-anchor") == "end"]
    assert ticks == ["0", "2", "4", "6", "8"]


def test_bar_chart_is_well_formed() -> None:
    document = parse(bar_chart("Totals", [("smuggler_claims", 120), ("سرحد", 7)]))
    assert len(document.getElementsByTagName("rect")) == 3  # background and two bars


def test_font_choice_by_script() -> None:
    assert font_file("حالت مرز") == "NotoSansArabic-Regular.ttf"
    assert font_file("সীমান্ত") == "NotoSansBengali-Regular.ttf"
    assert font_file("ชายแดน") == "NotoSansThai-Regular.ttf"
    assert font_file("Smuggler claims") == "NotoSans-Regular.ttf"


@pytest.mark.skipif(not NOTO_DIR.exists(), reason="needs Debian's fonts-noto-core (make system-deps)")
def test_outlined_labels_are_paths_for_every_script() -> None:
    svg = bar_chart("Totals", [("حالت مرز", 12), ("সীমান্ত খোলা", 7), ("ชายแดน", 5)], outline=True)
    document = parse(svg)
    assert not document.getElementsByTagName("text")
    labelled = {g.getAttribute("aria-label") for g in document.getElementsByTagName("g")}
    assert {"حالت مرز", "সীমান্ত খোলা", "ชายแดน", "Totals"} <= labelled
    for group in document.getElementsByTagName("g"):
        assert group.getElementsByTagName("path"), group.getAttribute("aria-label")
