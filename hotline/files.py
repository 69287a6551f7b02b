"""Files the app stores under a folder of its own (recordings, media): paths kept in the database are relative."""

from __future__ import annotations

from pathlib import Path


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` resolved, or None when it would leave ``root`` (``..``, an absolute path, a symlink):
    a stored path never reaches a file elsewhere."""
    base = root.resolve()
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) else None
