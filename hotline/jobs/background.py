"""Work a web process does beside its requests when there is no job queue (the embedded default, no Redis).

``wake(key, job)`` asks a thread of this process to run ``job()`` in the app's context: at once if the thread is
idle, and once more after the current run if it is busy, however often it is woken meanwhile. So a flood of
webhooks costs each one an ``Event.set`` and the thread catches up, in order, while requests go on being answered.
Use it only for a job that does all the work there is from the database (drain a table): what waits in memory is
only the wish to run it, so a process that dies loses nothing but a delay, and a sweep finds what it left.

One thread per key and process, started on first use in the process that uses it (a server that forks workers
after loading the app starts none in its master). At exit the thread finishes the run it is in, waiting at most
``STOP_SECONDS``.

Requests come first. A CPU-bound thread in a web process would make every request of that process wait for the
interpreter lock at each database call or socket read (CPython hands the lock back only every few milliseconds), so
the job calls ``yield_to_requests()`` between its steps: it waits until no request of its process is in flight, at
most ``YIELD_SECONDS``. Under a flood the job still moves on at least once per ``YIELD_SECONDS``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from hotline.jobs import runs_in_process, warm_up

log = logging.getLogger("hotline.jobs")
STOP_SECONDS = 5.0  # within gunicorn's graceful_timeout (10 s)
YIELD_SECONDS = 0.25
_EXTENSION = "hotline_background"
_IN_FLIGHT = "hotline_requests_in_flight"
_lock = threading.Lock()


class RequestsInFlight:
    """How many requests this process is handling for the app, and a way to wait until it handles none."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def wrap(self, wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
        """``wsgi_app`` counting its requests from the moment it is called until its response is returned."""

        def counted(environ: Any, start_response: Any) -> Any:
            with self._idle:
                self._count += 1
            try:
                return wsgi_app(environ, start_response)
            finally:
                with self._idle:
                    self._count -= 1
                    if not self._count:
                        self._idle.notify_all()

        return counted

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is in flight, at most ``timeout`` seconds; whether that happened."""
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


def init_background(app: Flask) -> None:
    """Count the app's requests in flight, so its background jobs can give way to them."""
    in_flight = RequestsInFlight()
    app.extensions[_IN_FLIGHT] = in_flight
    app.wsgi_app = in_flight.wrap(app.wsgi_app)  # type: ignore[method-assign]


def yield_to_requests(timeout: float = YIELD_SECONDS) -> None:
    """From a background job: wait until the app's process handles no request, at most ``timeout`` seconds. Does
    nothing outside a background thread (a job run by a worker or inside a request)."""
    if not getattr(_current, "job", None):
        return
    in_flight: RequestsInFlight | None = current_app.extensions.get(_IN_FLIGHT)
    if in_flight is not None:
        in_flight.wait_idle(timeout)


_current = threading.local()  # .job: set in a background job's thread


class BackgroundJob:
    """One job and the thread of this process that runs it whenever it is woken."""

    def __init__(self, app: Flask, key: str, job: Callable[[], Any]):
        self.app, self.key, self.job = app, key, job
        self._pid = 0
        self._wanted = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Run the job soon: now if the thread is idle, after its current run otherwise."""
        if not self._running():  # first use, first use in a forked child (threads do not survive a fork), or stopped
            with _lock:
                if not self._running():
                    self._start()
        self._wanted.set()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Let the current run finish (at most ``timeout`` seconds) and end the thread."""
        thread = self._thread
        if thread is None or self._pid != os.getpid():
            return
        self._stopping = True
        self._wanted.set()
        thread.join(timeout)

    def _running(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        if self._pid != os.getpid():
            atexit.register(self.stop)
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=f"hotline-{self.key}", daemon=True)
        self._pid = os.getpid()
        self._thread.start()

    def _loop(self) -> None:
        _current.job = self.key
        with self.app.app_context():
            warm_up()  # before the first run's transactions
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()  # before the run: a wake during it asks for one more
            try:
                with self.app.app_context():
                    self.job()
            except Exception as exc:
                # The job's rows stay where they were: its sweep tries them again. Only the exception's class is
                # logged: a database error's text can quote the parameters, and so a caller's words.
                log.error("background job failed", extra={"job": self.key, "error": type(exc).__name__})


def background_job(key: str, job: Callable[[], Any], app: Flask | None = None) -> BackgroundJob:
    """The app's background job under ``key`` (made on first use)."""
    target: Flask = app or current_app._get_current_object()  # type: ignore[attr-defined]
    jobs: dict[str, BackgroundJob] = target.extensions.setdefault(_EXTENSION, {})
    found = jobs.get(key)
    if found is None:
        with _lock:
            found = jobs.setdefault(key, BackgroundJob(target, key, job))
    return found


def wake(key: str, job: Callable[[], Any]) -> None:
    """Have a thread of this process run ``job()`` in the current app's context, soon (see the module's doc)."""
    background_job(key, job).wake()


def warm_up_soon(app: object) -> threading.Thread | None:
    """In a new web process whose jobs run in it (no Redis): run the app's warm-ups in a thread now, so the first
    text does not load the models inside its transaction. Nothing for another WSGI app, or when a worker runs jobs.
    Called by gunicorn's ``post_worker_init`` (hotline/config/gunicorn.conf.py)."""
    if not isinstance(app, Flask) or not runs_in_process(app):
        return None

    def warm() -> None:
        with app.app_context():
            warm_up()

    thread = threading.Thread(target=warm, name="hotline-warm-up", daemon=True)
    thread.start()
    return thread


def stop_all(app: Flask, timeout: float = STOP_SECONDS) -> None:
    """Stop the app's background threads (tests; a process's exit does it by itself)."""
    for found in list(app.extensions.get(_EXTENSION, {}).values()):
        found.stop(timeout)
