"""Backups and restores of the whole database: SQLite through its online backup API, PostgreSQL through
pg_dump's custom format and pg_restore.

A backup holds what the database holds (caller text included; reply addresses stay sealed): it is written
with mode 0600, first under a temporary name and renamed once complete, so a crash never leaves half a backup
under the final name.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from hotline.files import private_dir

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
_PAGES_PER_STEP = 256
Progress = Callable[[int, int], None]  # (done, total) pages for SQLite


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def default_backup_path(folder: Path, url: str, now: datetime) -> Path:
    """``<folder>/hotline-<UTC time>.sqlite3`` or ``.pgdump``."""
    suffix = ".sqlite3" if _backend(url) == "sqlite" else ".pgdump"
    return folder / f"hotline-{now.strftime('%Y%m%dT%H%M%SZ')}{suffix}"


def backup(url: str, target: Path, progress: Progress | None = None) -> Path:
    """Write a consistent backup of the database at ``url`` to ``target`` while the app keeps running."""
    private_dir(target.parent)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        if _backend(url) == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial, progress)
        else:
            _run([find_pg_tool("pg_dump"), "--format=custom", "--file", str(partial), "--dbname",
                  _libpq_url(url)], url)
        os.chmod(partial, 0o600)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(url: str, source: Path, progress: Progress | None = None) -> None:
    """Replace the database at ``url`` with the backup in ``source`` (checked to be the right kind first)."""
    head = _head(source)
    if _backend(url) == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source}: not a SQLite backup")
        _sqlite_copy(source, Path(_sqlite_path(url)), progress)
        return
    if not head.startswith(PG_MAGIC):
        raise BackupError(f"{source}: not a pg_dump custom-format backup")
    _run([find_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname", _libpq_url(url), str(source)], url)


def find_pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore`` on PATH, else the newest under /usr/lib/postgresql/*/bin (Debian)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0)
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (postgresql-client)")
    return candidates[-1]


def _sqlite_copy(source: Path | str, target: Path, progress: Progress | None) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst, pages=_PAGES_PER_STEP, progress=step)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _run(argv: list[str], url: str) -> None:
    env = {**os.environ}
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)  # never on the command line, where `ps` would show it
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {completed.stderr.strip()[-2000:]}")


def _backend(url: str) -> str:
    return make_url(url).get_backend_name()


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _libpq_url(url: str) -> str:
    parsed: URL = make_url(url).set(drivername="postgresql", password=None)
    return parsed.render_as_string(hide_password=False)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(16)
    except OSError as exc:
        raise BackupError(f"{path}: {exc.strerror}") from None
