"""Gathered sends: many requests' "queue this job once" become one round trip to Redis per short window.

Under a flood of webhooks every request commits a row and then asks Redis whether the job that files the rows is
already waiting (one SET NX): a network round trip that costs more than anything else the webhook does beyond
its insert. A ``Gatherer`` takes those asks from the requests of one process (a dict write and an ``Event.set``),
and a thread of that process sends each key's ask once per window. Every ask is followed by a send issued after
it, so a job that starts before a row's commit is still followed by another; at worst a text waits ``seconds``
longer for the worker. A process that exits sends what it holds first (``atexit``); one killed outright loses at
most a window's asks, whose rows the inbox's sweep files (as it did when a process died between commit and ask).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("hotline.jobs")
Send = Callable[[str, Callable[..., Any], tuple[Any, ...]], None]


class Gatherer:
    """Sends ``send(key, job, args)`` from a thread of this process, at most once per key per ``seconds``."""

    def __init__(self, send: Send, seconds: float):
        self.send, self.seconds = send, seconds
        self._pid = 0
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {}
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, key: str, job: Callable[..., Any], args: tuple[Any, ...] = ()) -> None:
        """Have ``send(key, job, args)`` called within about ``seconds``, after this call."""
        if self._pid != os.getpid():
            self._start()  # first use, or first use in a forked child (threads do not survive a fork)
        with self._lock:
            self._pending[key] = (job, args)
        # Still set: the thread has not taken the asks yet (it clears the flag as it takes them, under the lock), so
        # it takes this one too. Setting it again would only wake nobody, at the price of a lock and a notify.
        if not self._wanted.is_set():
            self._wanted.set()

    def flush(self) -> None:
        """Send what waits, now, in the calling thread."""
        with self._lock:
            self._wanted.clear()
            pending, self._pending = self._pending, {}
        for key, (job, args) in pending.items():
            try:
                self.send(key, job, args)
            except Exception as exc:  # the rows are committed: the sweep that looks for lost jobs files them
                log.warning("could not queue a gathered job; the sweep will run it",
                            extra={"job": key, "error": type(exc).__name__})

    def _start(self) -> None:
        with _starting:
            if self._pid == os.getpid():
                return
            if not self._pid:  # a forked child inherits the registration with the rest of the interpreter
                atexit.register(self.flush)
            # A child starts empty: the parent sends what it gathered, and a lock held at the fork would stay held.
            self._lock, self._pending, self._wanted = threading.Lock(), {}, threading.Event()
            self._thread = threading.Thread(target=self._loop, name="hotline-gathered-jobs", daemon=True)
            self._pid = os.getpid()
            self._thread.start()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            time.sleep(self.seconds)  # let the asks of this window arrive
            self.flush()


_starting = threading.Lock()
