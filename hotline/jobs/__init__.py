"""Background jobs behind one small interface: ``enqueue(job, *args)``, where ``job`` is a module-level function.

With ``HOTLINE_REDIS_URL`` set, jobs go to RQ on Redis and a worker (``hotline jobs worker``) runs them; without
it they run in-process, at once. Call ``enqueue`` only once the data a job reads is committed: from
``hotline.db.after_commit``. A job opens its own session and is its own transaction boundary. Callers pass the
function itself; only RQ's message carries its dotted name (``job_name``), which ``run_job`` resolves in the worker.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from hotline.jobs.gather import Gatherer

log = logging.getLogger("hotline.jobs")
DEFAULT_QUEUE = "hotline"
_EXTENSION = "hotline_jobs"
_WARM_UPS = "hotline_job_warm_ups"
_WARMED = "hotline_job_warmed_in"  # the process id in which the app's warm-ups last ran
_warming = threading.Lock()


_together = threading.local()  # .calls: jobs collected by ``jobs_together`` on this thread
ONCE_TTL_SECONDS = 60  # a coalesced job lost before it started is queued again after this long at most
Job = Callable[..., Any]
J = TypeVar("J", bound=Job)
BATCH_SIZE = 25  # calls of a batchable job per RQ job: a few workers still share a large batch of filed texts
_BATCHABLE: set[str] = set()  # the names of the jobs marked ``batchable``, filled as their modules are imported


def job_name(job: Job) -> str:
    """The dotted name RQ stores for ``job``: it must be a module-level function of the hotline package, so the
    worker finds the same function by that name."""
    module, name = getattr(job, "__module__", None) or "", getattr(job, "__qualname__", "")
    if not module.startswith("hotline.") or "." in name or "<" in name:
        raise ValueError(f"jobs must be module-level functions of the hotline package, not {job!r}")
    return f"{module}.{name}"


class JobQueue(Protocol):
    """Where jobs go."""

    def enqueue(self, job: Job, *args: Any) -> None:
        """Run ``job(*args)`` (a module-level function) later or now."""

    def enqueue_once(self, key: str, job: Job, *args: Any) -> None:
        """Like ``enqueue``, unless a job queued under ``key`` has not started yet (it will see the new work)."""

    def started(self, key: str) -> None:
        """Told by a job queued with ``enqueue_once`` as it starts: the next ``enqueue_once(key)`` queues again."""


GATHER_SECONDS = 0.02  # how long a web process gathers ``enqueue_once_soon`` asks before sending them to Redis


class InProcessQueue:
    """Runs each job at once in the calling process (laptops, demo mode, tests)."""

    def enqueue(self, job: Job, *args: Any) -> None:
        _run(job_name(job), job, args)

    def enqueue_once(self, key: str, job: Job, *args: Any) -> None:
        self.enqueue(job, *args)  # nothing waits in-process: every call runs

    def started(self, key: str) -> None:
        pass


class RQQueue:
    """Sends each job to an RQ queue on Redis."""

    def __init__(self, redis_url: str, name: str = DEFAULT_QUEUE):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(name, connection=self.connection)
        self.gathered = Gatherer(lambda key, job, args: self.enqueue_once(key, job, *args), GATHER_SECONDS)

    def enqueue(self, job: Job, *args: Any) -> None:
        collected: list[tuple[Job, tuple[Any, ...]]] | None = getattr(_together, "calls", None)
        if collected is not None:
            collected.append((job, args))
        else:
            self.queue.enqueue(run_job, job_name(job), *args)

    def enqueue_many(self, calls: list[tuple[Job, tuple[Any, ...]]]) -> None:
        """Queue several jobs in one pipelined round trip; calls of a ``batchable`` job go as RQ jobs of up to
        ``BATCH_SIZE`` calls each (``run_jobs``)."""
        from rq import Queue

        named = [(job_name(job), args) for job, args in calls]
        prepared = [Queue.prepare_data(run_job, args=(name, *args)) for name, args in named if name not in _BATCHABLE]
        prepared += [Queue.prepare_data(run_jobs, args=(name, batch)) for name, batch in _batches(named)]
        self.queue.enqueue_many(prepared)

    def enqueue_once(self, key: str, job: Job, *args: Any) -> None:
        # One SET NX instead of an RQ enqueue (two MULTI/EXEC round trips) while the job waits: under a flood of
        # webhooks, all but the first find the job already queued. The expiry recovers a job lost before it ran.
        if self.connection.set(self._once_key(key), b"1", nx=True, ex=ONCE_TTL_SECONDS):
            self.enqueue(job, *args)

    def started(self, key: str) -> None:
        self.connection.delete(self._once_key(key))

    def _once_key(self, key: str) -> str:
        return f"hotline:once:{self.queue.name}:{key}"


def job_queue(app: Flask | None = None) -> JobQueue:
    """The app's queue: RQ when HOTLINE_REDIS_URL is set, in-process otherwise (built on first use)."""
    target = app or current_app
    queue: JobQueue | None = target.extensions.get(_EXTENSION)
    if queue is None:
        settings = target.config["HOTLINE"]
        queue = RQQueue(settings.redis_url, settings.rq_queue) if settings.redis_url else InProcessQueue()
        target.extensions[_EXTENSION] = queue
    return queue


def runs_in_process(app: Flask | None = None) -> bool:
    """True when jobs run at once in the calling process (no Redis): work queued after a commit delays the request."""
    return isinstance(job_queue(app), InProcessQueue)


@contextmanager
def jobs_together() -> Iterator[None]:
    """Send the jobs queued inside the block to Redis together when it ends, in one round trip instead of one or
    two each (a batch of filed texts queues two jobs per text). In-process jobs still run at once."""
    queue = job_queue()
    if not isinstance(queue, RQQueue) or getattr(_together, "calls", None) is not None:
        yield
        return
    _together.calls = []
    try:
        yield
    finally:
        calls, _together.calls = _together.calls, None
        if calls:
            queue.enqueue_many(calls)  # queued after their commits: a failure later in the block does not undo them


def set_job_queue(app: Flask, queue: JobQueue | None) -> None:
    """Use ``queue`` for ``app`` (None: go back to what the settings say)."""
    if queue is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        app.extensions[_EXTENSION] = queue


def add_warm_up(app: Flask, load: Callable[[], Any]) -> None:
    """Have ``load()`` run once, in the app's context, in a process about to run jobs: what a job would otherwise
    load on first use (models, lexicons) inside its first transaction, holding every other writer off meanwhile."""
    loads: list[Callable[[], Any]] = app.extensions.setdefault(_WARM_UPS, [])
    if load not in loads:
        loads.append(load)


def warm_up(app: Flask | None = None) -> None:
    """Run the app's warm-ups (``add_warm_up``) once per process: a second caller waits for the first to finish.
    One that fails is logged and left to load on first use."""
    target = app or current_app
    with _warming:
        if target.extensions.get(_WARMED) == os.getpid():
            return
        for load in list(target.extensions.get(_WARM_UPS, ())):
            try:
                load()
            except Exception:
                log.exception("job warm-up failed; it loads on first use instead")
        target.extensions[_WARMED] = os.getpid()


def enqueue(job: Job, *args: Any) -> None:
    """Queue ``job(*args)`` on the current app's queue."""
    job_queue().enqueue(job, *args)


def enqueue_once(key: str, job: Job, *args: Any) -> None:
    """Queue ``job(*args)`` unless a job queued under ``key`` is still waiting to start.

    For jobs that do all the work there is (drain a table): the job calls ``job_started(key)`` first, so work
    arriving while it runs queues it again.
    """
    job_queue().enqueue_once(key, job, *args)


def enqueue_once_soon(key: str, job: Job, *args: Any) -> None:
    """``enqueue_once``, sent to Redis within a few milliseconds from a thread of this process together with the
    same ask from its other requests (``hotline.jobs.gather``): for webhooks under a flood. Other queues: at once."""
    queue = job_queue()
    if isinstance(queue, RQQueue):
        queue.gathered.add(key, job, args)
    else:
        queue.enqueue_once(key, job, *args)


def batchable(job: J) -> J:
    """Mark ``job`` as one whose calls queued together (``jobs_together``) may run in one RQ job, in turn: for short,
    idempotent jobs queued by the thousand (classifying each filed text), where RQ's own cost per job, to queue it
    and to run it, outweighs the work. Never for a job that waits on the network: a batch runs its calls one after
    the other, on one worker."""
    _BATCHABLE.add(job_name(job))
    return job


def _batches(calls: list[tuple[str, tuple[Any, ...]]]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """The calls (job name, arguments) of batchable jobs, grouped by job in the order queued, at most
    ``BATCH_SIZE`` to a group."""
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for name, args in calls:
        if name in _BATCHABLE:
            grouped.setdefault(name, []).append(args)
    for name, argses in grouped.items():
        for start in range(0, len(argses), BATCH_SIZE):
            yield name, argses[start:start + BATCH_SIZE]


def job_started(key: str) -> None:
    """Called first by a job queued with ``enqueue_once``."""
    job_queue().started(key)


def _resolve(func_path: str) -> Callable[..., Any]:
    module_name, _, attribute = func_path.rpartition(".")
    if not module_name.startswith("hotline."):
        raise ValueError(f"jobs must live in the hotline package, not {func_path!r}")
    func: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
    return func


def run_job(func_path: str, *args: Any) -> Any:
    """Run the job RQ named (``job_name``); it needs the app's context (`hotline jobs worker` runs every job inside
    its app)."""
    return _run(func_path, _resolve(func_path), args)


def run_jobs(func_path: str, calls: list[tuple[Any, ...]]) -> None:
    """Run the ``batchable`` job RQ named once per call, in turn. A call that fails does not stop the others: it is
    logged, and the first failure is raised once all have run, so RQ records the batch as failed."""
    job = _resolve(func_path)
    if func_path not in _BATCHABLE:
        raise ValueError(f"{func_path} is not a batchable job")
    first: Exception | None = None
    for args in calls:
        try:
            _run(func_path, job, tuple(args))
        except Exception as exc:  # the class only: an error's text could quote a caller; RQ keeps the first's
            log.error("a job of a batch failed; the batch goes on", extra={"job": func_path,
                                                                          "error": type(exc).__name__})
            first = first or exc
    if first is not None:
        raise first


def _run(name: str, job: Job, args: tuple[Any, ...]) -> Any:
    if not has_app_context():
        # The job layer never builds the app: that would make it import every blueprint above it.
        raise RuntimeError(f"job {name} ran outside the app: run workers with `hotline jobs worker`")
    return job(*args)


@contextmanager
def job_session(read_only: bool = False) -> Iterator[Session]:
    """A session of the job's own, separate from any request's: the job commits it; an error rolls it back.

    ``read_only`` refuses writes and, on SQLite, takes no write lock: for what a job reads before a network call.
    """
    from hotline.extensions import db

    session = db.new_session(read_only)  # never the request's (a GET's is read-only)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
