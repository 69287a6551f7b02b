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


def test_hidden_points_are_gaps_with_a_cross_and_the_unfinished_week_is_shaded() -> None:
    svg = line_chart("Reports per week", ["W46", "W47", "W48", "W49", "W50"],
                     [("a", [6, None, 8, 9, 0]), ("b", [5, 7, None, 3, 0])],
                     hidden_label="hidden (under 5)", partial=3, partial_label="this week so far")
    document = parse(svg)
    crosses = [p for p in document.getElementsByTagName("path") if p.getAttribute("class") == "suppressed"]
    assert len(crosses) == 2  # one per hidden point, never a zero on the line
    for line in document.getElementsByTagName("polyline"):
        for point in line.getAttribute("points").split():
            assert float(point.split(",")[1]) < 320 - 46  # no point drawn on the axis: a hidden count is no zero
    legend = [t.firstChild.data for t in document.getElementsByTagName("text")]  # type: ignore[union-attr]
    assert "hidden (under 5)" in legend and "this week so far" in legend
    shaded = [r for r in document.getElementsByTagName("rect") if r.getAttribute("class") == "partial"]
    assert len(shaded) == 1
    dashed = [p for p in document.getElementsByTagName("polyline") if p.getAttribute("class") == "partial"]
    assert len(dashed) == 1  # series a reaches the partial week from a published one; b from a hidden one
    # the week after the partial one has not happened: nothing drawn there, not even a zero
    step = (760 - 48 - 170) / 4
    xs = {round(float(p.split(",")[0])) for line in document.getElementsByTagName("polyline")
          for p in line.getAttribute("points").split()}
    assert round(48 + 4 * step) not in xs


def test_without_hidden_points_or_a_partial_week_the_legend_says_nothing_of_them() -> None:
    svg = line_chart("T", ["W1", "W2"], [("a", [1, 2])], hidden_label="hidden", partial_label="so far")
    assert "hidden" not in svg and "so far" not in svg
