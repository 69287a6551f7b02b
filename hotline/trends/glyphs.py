"""Text as outlines for PNG charts: HarfBuzz shapes the text, fontTools draws the Noto glyphs as SVG paths.

cairo (behind cairosvg) neither shapes text nor falls back between fonts, so Arabic-script, Bengali or Thai labels
would come out unjoined or as empty boxes; outlines render the same everywhere. The SVG charts a browser shows keep
real <text>, which the browser shapes itself.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
_SCRIPTS = (
    ((0x0600, 0x06FF), "NotoSansArabic-Regular.ttf"), ((0x0750, 0x077F), "NotoSansArabic-Regular.ttf"),
    ((0xFB50, 0xFEFF), "NotoSansArabic-Regular.ttf"), ((0x0980, 0x09FF), "NotoSansBengali-Regular.ttf"),
    ((0x0E00, 0x0E7F), "NotoSansThai-Regular.ttf"), ((0x0D80, 0x0DFF), "NotoSansSinhala-Regular.ttf"),
    ((0x0B80, 0x0BFF), "NotoSansTamil-Regular.ttf"), ((0x0780, 0x07BF), "NotoSansThaana-Regular.ttf"),
)
_LATIN = "NotoSans-Regular.ttf"


def font_file(text: str) -> str:
    """The Noto font for the first non-Latin script in ``text`` (Noto Sans otherwise)."""
    for char in text:
        code = ord(char)
        for (low, high), name in _SCRIPTS:
            if low <= code <= high:
                return name
    return _LATIN


@lru_cache(maxsize=16)
def _font(name: str) -> tuple[Any, Any, Any, list[str], int] | None:
    path = NOTO_DIR / name
    if not path.exists():
        return None
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    data = path.read_bytes()
    face = hb.Face(data)
    tt = TTFont(io.BytesIO(data))  # from memory: a file-backed TTFont keeps its file open
    return hb.Font(face), tt, tt.getGlyphSet(), tt.getGlyphOrder(), face.upem


def outlined(text: str, x: float, y: float, size: float, anchor: str = "start", fill: str = "#1b1f23") -> str | None:
    """A <g> of paths drawing ``text`` with its baseline at (x, y); None when the font is not installed."""
    loaded = _font(font_file(text))
    if loaded is None:
        return None
    import uharfbuzz as hb
    from fontTools.pens.svgPathPen import SVGPathPen

    font, _tt, glyphs, order, upem = loaded
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    scale = size / upem
    paths, advance = [], 0
    for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        pen = SVGPathPen(glyphs)
        glyphs[order[info.codepoint]].draw(pen)
        commands = pen.getCommands()
        if commands:
            paths.append(f'<path transform="translate({advance + pos.x_offset} {-pos.y_offset})" d="{commands}"/>')
        advance += pos.x_advance
    width = advance * scale
    start = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return (f'<g fill="{fill}" transform="translate({start:.1f} {y:.1f}) scale({scale:.5f} {-scale:.5f})" '
            f'aria-label={quoteattr(text)}>{"".join(paths)}</g>')
