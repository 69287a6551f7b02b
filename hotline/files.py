"""Files the app stores under a folder of its own (recordings, media): paths kept in the database are relative;
folders are created 0700 and files 0600."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` resolved, or None when it would leave ``root`` (``..``, an absolute path, a symlink):
    a stored path never reaches a file elsewhere."""
    base = root.resolve()
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) else None


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` and its missing parents with mode 0700 (whatever the umask); ``tighten`` also sets 0700 on
    an existing ``path``. What the instance folder holds (caller recordings, media, the database) is this user's
    alone."""
    missing: list[Path] = []
    cursor = path
    while not cursor.exists():
        missing.append(cursor)
        cursor = cursor.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another worker made it: it made it private too
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode passes through the umask
    if tighten:
        # A folder another user owns stays as it is: `hotline check --deploy` reports its mode.
        with contextlib.suppress(PermissionError):
            os.chmod(path, PRIVATE_DIR_MODE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (created or truncated) with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_FILE_MODE)  # an existing file keeps its mode through O_CREAT
        handle.write(data)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it is missing; set 0600 if it exists (the SQLite database)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path
