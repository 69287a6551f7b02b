"""PNG copies of the SVG charts, through cairosvg when it and the system's cairo library are installed."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def _cairosvg() -> ModuleType | None:
    try:
        import cairosvg
    except (ImportError, OSError):  # OSError: the cairo shared library is missing
        return None
    module: ModuleType = cairosvg
    return module


def png_available() -> bool:
    """True when charts can be offered as PNG too."""
    return _cairosvg() is not None


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """The chart as PNG (twice the size by default, for sharp slides); RuntimeError when PNG is unavailable."""
    module = _cairosvg()
    if module is None:
        raise RuntimeError("PNG needs cairosvg and the cairo library (apt-get install libcairo2)")
    result: bytes = module.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return result
