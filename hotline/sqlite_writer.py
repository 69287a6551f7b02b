"""One writer at a time on a SQLite file, queued without SQLite's sleeping busy handler.

SQLite lets one transaction write at a time; the others wait in its busy handler, which sleeps in steps of 1, 2,
5, 10 ... 100 ms and checks again. Under gunicorn's threads and workers a webhook that waits for a 10 ms writer
often sleeps 25 ms or more, and half the CPU idles. Writers therefore queue here first: threads of one process on
a lock (woken as soon as it is released), processes on an advisory ``flock`` of a file beside the database,
checked every fraction of a millisecond by the one thread per process that waits for it. Whoever holds both then
begins ``BEGIN IMMEDIATE`` at once. Waiting is bounded by the busy timeout; after it the transaction goes ahead
and SQLite's own handler decides, exactly as without this queue. Read-only transactions never queue.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

_FIRST_POLL_SECONDS = 0.0002
_LONGEST_POLL_SECONDS = 0.002


class WriterQueue:
    """The write queue of one SQLite database file (one per engine and process)."""

    def __init__(self, database: Path, timeout_seconds: float):
        self._path = database.with_name(database.name + "-writer")
        self._timeout = timeout_seconds
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> bool:
        """Wait (at most the timeout) to be the only writer; False when the wait timed out (SQLite decides)."""
        deadline = time.monotonic() + self._timeout
        if not self._threads.acquire(timeout=self._timeout):
            return False
        try:
            fd = self._file()
            delay = _FIRST_POLL_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(delay)
                    delay = min(delay * 2, _LONGEST_POLL_SECONDS)
        except OSError:
            pass  # no lock file (a read-only folder): SQLite's own handler decides
        self._threads.release()
        return False

    def release(self) -> None:
        """Let the next writer in (only after ``acquire`` returned True)."""
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file(self) -> int:
        # A forked gunicorn worker must not share its parent's open file: flock locks belong to the open file.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd
