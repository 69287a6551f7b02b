"""The spool on local disk: an append-only log of sealed webhook records, fsync'ed before the response goes out.

Layout of the spool directory (one per host, never shared over a network file system)::

    incoming.log           records appended by every worker process (flock'ed, O_APPEND, fsync'ed)
    batch-<ns>.log         incoming.log renamed by a replayer, waiting to be applied, oldest first
    batch-<ns>.cursor      how many records of that batch are already in the database (fsync'ed after each)
    dead.log               records that could not be applied for a reason other than an outage (kept, counted,
                           purged past the text retention period by `hotline retention purge`)
    spool.lock, replay.lock

Exactly once: a record is applied in its own transaction and the cursor moves only after that commit. A crash
between the two re-applies the record, and intake is idempotent on the provider's ids (MessageSid, CallSid,
RecordingSid), so the second application stores nothing new.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.sealed_records import SpoolCorrupt, SpoolRecord, decode, encode

INCOMING = "incoming.log"
DEAD = "dead.log"
_BATCH_PREFIX = "batch-"


class ReplayBusy(Exception):
    """Another process on this host is replaying the spool right now."""


@dataclass(frozen=True)
class Batch:
    """A closed spool file being replayed, with its progress cursor."""

    path: Path

    @property
    def cursor_path(self) -> Path:
        return self.path.with_suffix(".cursor")

    def done(self) -> int:
        """How many records of this batch are already applied."""
        try:
            return int(self.cursor_path.read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def advance(self, count: int) -> None:
        """Record durably that the first ``count`` records are applied."""
        _write_durably(self.cursor_path, f"{count}\n".encode())

    def lines(self) -> Iterator[bytes]:
        """The batch's complete lines; a torn last line (a crash mid-write) is not a record."""
        with self.path.open("rb") as handle:
            for line in handle:
                if line.endswith(b"\n") and line.strip():
                    yield line

    def remove(self) -> None:
        """The batch is fully applied: delete it and its cursor."""
        self.path.unlink(missing_ok=True)
        self.cursor_path.unlink(missing_ok=True)


class Spool:
    """A spool directory. Safe across threads, processes and gunicorn workers of one host."""

    def __init__(self, directory: Path, keys: PrivacyKeys):
        self.directory = directory
        self.keys = keys

    def append(self, record: SpoolRecord) -> None:
        """Seal and append one record, and return only once it is on disk (fsync of file and directory)."""
        line = encode(self.keys, record)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._locked("spool.lock"):
            path = self.directory / INCOMING
            created = not path.exists()
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a torn line from a crash must not swallow this record
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_directory(self.directory)

    def backlog(self) -> int:
        """How many records wait to be replayed (complete lines in incoming and unfinished batches)."""
        if not self.directory.is_dir():
            return 0
        total = 0
        incoming = self.directory / INCOMING
        if incoming.exists():
            total += _count_lines(incoming)
        for batch in self.batches():
            total += max(0, _count_lines(batch.path) - batch.done())
        return total

    def has_backlog(self) -> bool:
        """Cheap check (a few stat calls) for whether anything waits to be replayed: safe on every request."""
        if not self.directory.is_dir():
            return False
        incoming = self.directory / INCOMING
        if incoming.exists() and incoming.stat().st_size > 0:
            return True
        return any(True for _ in self.batches())

    def dead_letters(self) -> int:
        """How many records could not be applied and were set aside in dead.log."""
        path = self.directory / DEAD
        return _count_lines(path) if path.exists() else 0

    def batches(self) -> list[Batch]:
        """Closed batches, oldest first."""
        if not self.directory.is_dir():
            return []
        return [Batch(path) for path in sorted(self.directory.glob(f"{_BATCH_PREFIX}*.log"))]

    def rotate(self) -> None:
        """Close incoming.log as a new batch, so records appended from now on wait for the next replay."""
        with self._locked("spool.lock"):
            incoming = self.directory / INCOMING
            if incoming.exists() and incoming.stat().st_size > 0:
                incoming.rename(self.directory / f"{_BATCH_PREFIX}{time.time_ns():020d}.log")
                _fsync_directory(self.directory)

    def set_aside(self, line: bytes) -> None:
        """Keep a record that cannot be applied in dead.log (still sealed) for a person to look at."""
        with self._locked("spool.lock"):
            fd = os.open(self.directory / DEAD, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line if line.endswith(b"\n") else line + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)

    def purge_dead(self, received_before: datetime) -> int:
        """Drop from dead.log the records received before ``received_before`` (they hold a phone number and caller
        text, like the texts retention redacts), and any line this app cannot open (it could never be replayed nor
        dated); how many lines went. The rest is rewritten atomically."""
        path = self.directory / DEAD
        if not path.exists():
            return 0
        with self._locked("spool.lock"):
            kept: list[bytes] = []
            dropped = 0
            with path.open("rb") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    try:
                        keep = decode(self.keys, line).received_at >= received_before
                    except SpoolCorrupt:
                        keep = False
                    if keep:
                        kept.append(line if line.endswith(b"\n") else line + b"\n")
                    else:
                        dropped += 1
            if dropped:
                _write_durably(path, b"".join(kept))
        return dropped

    @contextmanager
    def replaying(self) -> Iterator[None]:
        """Hold the replay lock; raise ReplayBusy at once if another process holds it."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.directory / "replay.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ReplayBusy(str(self.directory)) from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        fd = os.open(self.directory / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _count_lines(path: Path) -> int:
    """Complete lines in a spool file, counted in 1 MiB chunks (fast enough for /readyz on a large backlog)."""
    count = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(2**20):
                count += chunk.count(b"\n")
    except FileNotFoundError:
        return 0
    return count


def _write_durably(path: Path, data: bytes) -> None:
    partial = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
