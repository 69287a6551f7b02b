"""Static asset URLs that change when the file changes, so static files can be cached for a year."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for


@lru_cache(maxsize=64)
def _digest(path: str, mtime_ns: int) -> str:
    # mtime is part of the key so that an edited file (in development) gets a new digest.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """``url_for('static', filename=...)`` with ``?v=<content digest>``: a new file is a new URL."""
    folder = current_app.static_folder
    path = Path(folder or "") / filename
    if folder is None or not path.is_file():
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=_digest(str(path), path.stat().st_mtime_ns))
