"""Database engine and session: the declarative Base, SQLite pragmas, and the request-scoped session.

Write operations flush; they never commit. The request boundary (or a CLI command) commits once, and work
registered with ``after_commit`` (sending an SMS, enqueuing a job) runs only once that commit succeeded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.globals import _cv_app
from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from hotline.files import private_file
from hotline.sqlite_writer import WriterQueue

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
log = logging.getLogger(__name__)
# Marks a read-only session (session.info) and its connections (an execution option of the engine it is bound to).
READ_ONLY = "hotline_read_only"
REQUEST_ID = "hotline_request_id"  # a request session's info key: the id hotline.ops.logging gave the request
_BUSY_TIMEOUT_SECONDS = 5.0
_IDLE_SINCE = "hotline_idle_since"  # a pooled connection's info key: when it was last returned
_PING_AFTER_IDLE_SECONDS = 1.0  # a connection idle longer than this is pinged before use
_WRITERS = "hotline_sqlite_writer"  # a connection's info key: it holds its database's WriterQueue
_READING = "hotline_reading"  # a session's info key: it reads before writing (see read_before_writing)
READ_ALONE = "hotline_read_alone"  # a SQLite connection's option: its reads begin no transaction (read_before_writing)
_writer_queues: dict[str, WriterQueue] = {}  # database file -> the process's queue of writers for it
# Request methods that must not change anything: their request session is read-only unless the view says it writes.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so Alembic migrations name constraints identically."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so concurrent writers wait (busy_timeout) instead of failing
    # with "database is locked" when a read transaction later tries to write. A read-only session (see
    # Database.new_session) never writes, so it takes no lock: in WAL mode its plain BEGIN reads a snapshot while
    # writers go on, and a long export or dashboard query cannot hold every webhook off.
    options = connection.get_execution_options()
    if options.get(READ_ALONE):  # read_before_writing: each read is its own (implicit) transaction until it writes
        return
    if options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    writers = _writer_queues.get(connection.engine.url.database)
    if writers is not None and writers.acquire():
        connection.info[_WRITERS] = writers
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_end(connection)
        raise


def _sqlite_end(connection: Any, *_: Any) -> None:
    _release_writer(connection.info)


def _sqlite_checkin(_dbapi_connection: Any, record: Any, *_: Any) -> None:
    # A connection returned (or invalidated) in the middle of a transaction must not keep the next writer out.
    _release_writer(record.info)


def _release_writer(info: dict[str, Any]) -> None:
    writers: WriterQueue | None = info.pop(_WRITERS, None)
    if writers is not None:
        writers.release()


def _private_sqlite_files(database: str | None) -> None:
    """The database file is created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database
    file's mode, so caller text never sits in a world-readable file. Existing files are tightened."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite will say it cannot open the file
    try:
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal", "-writer"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                private_file(companion)
    except PermissionError:
        pass  # a file this user may not change: SQLite says so if it cannot open it; check --deploy reports modes


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and working savepoints."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _private_sqlite_files(parsed.database)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _writer_queues.setdefault(parsed.database, WriterQueue(Path(parsed.database), _BUSY_TIMEOUT_SECONDS))
            for name in ("commit", "rollback"):
                event.listen(engine, name, _sqlite_end)
            for name in ("checkin", "invalidate"):
                event.listen(engine.pool, name, _sqlite_checkin)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, **kwargs)
    event.listen(engine.pool, "checkin", _note_idle)
    event.listen(engine.pool, "checkout", _ping_if_idle)
    return engine


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    # pool_pre_ping's round trip on every checkout is a third of a webhook's time with the database: a connection
    # that was in use a moment ago is not pinged again (a failure then is an outage: the spool keeps the request).
    if time.monotonic() - record.info.get(_IDLE_SINCE, float("-inf")) < _PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.execute("SELECT 1").close()
        dbapi_connection.rollback()
    except Exception as exc:
        raise DisconnectionError("the pooled connection is gone") from exc  # the pool tries a fresh one


def is_outage(exc: BaseException) -> bool:
    """True for errors that mean "the database is not there", as opposed to a bad record or a bug."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the session's next successful commit; drop it if the session rolls back."""
    session.info.setdefault("after_commit", []).append(callback)


def read_before_writing(session: Session) -> bool:
    """Let ``session`` read outside a write transaction until ``rejoin_transaction``; whether it now does.

    For a request that reads what it needs, decides, and then writes (a call's first webhook):
    - on PostgreSQL its statements each commit on their own (psycopg's autocommit), so a read and a single-statement
      write cost no BEGIN and COMMIT round trips; under READ COMMITTED the read sees what it would have seen inside a
      transaction. ``commits_each_statement`` says a single statement may be written so.
    - on SQLite each read is a transaction of its own too (no BEGIN: a statement reads one snapshot), without the
      write lock, so other writers go on meanwhile; every write rejoins a write transaction first
      (``commits_each_statement`` is False).

    Only a session that has not begun takes it (``_unbegun_engine``).
    """
    bind = _unbegun_engine(session)
    if bind is None:
        return False
    alone = bind.dialect.name == "postgresql"
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"} if alone else {READ_ALONE: True})
    session.info[_READING] = "alone" if alone else "read"
    return True


def write_alone(session: Session) -> bool:
    """On PostgreSQL, let ``session``'s one write statement commit on its own (no BEGIN and COMMIT round trips), as
    ``read_before_writing`` does, for a request that writes one statement and reads nothing first (an inbound
    text into the inbox); ``rejoin_transaction`` after it. Whether it does: nothing changes on SQLite, whose one
    write transaction costs no round trip."""
    bind = _unbegun_engine(session)
    if bind is None or bind.dialect.name != "postgresql":
        return False
    return read_before_writing(session)


def _unbegun_engine(session: Session) -> Engine | None:
    """The engine of a session that may leave the write transaction: not begun, with no pending after-commit
    callback, bound to an engine (a test's session bound to its own transaction is left as it is)."""
    bind = session.get_bind()
    if (session.in_transaction() or session.info.get(READ_ONLY) or session.info.get("after_commit")
            or not isinstance(bind, Engine)):
        return None
    return bind


def commits_each_statement(session: Session) -> bool:
    """Whether one statement written now commits on its own (``read_before_writing`` on PostgreSQL)."""
    return session.info.get(_READING) == "alone"


def rejoin_transaction(session: Session) -> None:
    """End ``read_before_writing``: the session's next statements are written in a write transaction. Does nothing
    to a session that was not reading so.

    On PostgreSQL the connection goes back to the pool (as it came: its isolation level is reset there), and what
    was queued with ``after_commit`` meanwhile runs now, since what it follows is committed. On SQLite the same
    connection begins writing, queued as every writer is: no second checkout or session commit.
    """
    reading = session.info.pop(_READING, None)
    if reading == "alone":
        session.commit()
    elif reading == "read":
        connection = session.connection()
        connection.execution_options(**{READ_ALONE: False})
        _sqlite_begin(connection)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A SAVEPOINT around the block: an error rolls back the block's writes and the side effects it queued with
    ``after_commit`` (a savepoint's rollback keeps the rest of the transaction, and its callbacks), then re-raises."""
    queued = list(session.info.get("after_commit", []))
    try:
        with session.begin_nested():
            yield
    except BaseException:
        session.info["after_commit"] = queued
        raise


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a savepoint was released: nothing is committed yet
        return
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_transaction_end")
def _end_reading(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # however it ended, its connection went back to the pool
        session.info.pop(_READING, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # only an outermost rollback discards the pending side effects
        session.info.pop("after_commit", None)


class ReadOnlySessionError(RuntimeError):
    """A read-only session (a GET request's, a streamed export's) was asked to write."""


def _refuse_writes(session: Session, what: str) -> None:
    raise ReadOnlySessionError(
        f"{what} in a read-only session: a GET/HEAD request's session only reads (mark a view that must write "
        "with hotline.db.writes), and a stream's session never writes")


@event.listens_for(Session, "before_flush")
def _read_only_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.deleted
                                        or any(session.is_modified(obj) for obj in session.dirty)):
        _refuse_writes(session, "a flush")


@event.listens_for(Session, "do_orm_execute")
def _read_only_execute(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        _refuse_writes(state.session, "an INSERT, UPDATE or DELETE")


def writes(view: Callable[..., T]) -> Callable[..., T]:
    """Mark a view that writes although it answers GET: its request session takes the write lock as POSTs do."""
    view._hotline_writes = True  # type: ignore[attr-defined]
    return view


def _request_reads_only() -> bool:
    if not has_request_context() or request.method not in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "_hotline_writes", False)


CommitFailureHandler = Callable[[Exception], "Response | None"]


@dataclass
class _BoundDatabase:
    engine: Engine
    factory: sessionmaker[Session]
    # What read-only sessions bind to: the engine with the READ_ONLY option (a plain BEGIN on SQLite), or the
    # tests' Connection as it is.
    read_bind: Engine | Connection
    # Asked in turn when a request's commit fails: the first to return a response answers instead of the error.
    commit_failure_handlers: list[CommitFailureHandler] = field(default_factory=list)
    # Run after a request's commit succeeded (e.g. catching up on work that waited for the database).
    after_request_commit: list[Callable[[], None]] = field(default_factory=list)


class Database:
    """The unbound database extension: ``db.init_app(app)`` builds that app's engine; ``db.session`` is scoped
    to the current app context, so several apps (tests, tools) can live in one process."""

    def __init__(self) -> None:
        # scoped_session only needs a callable; the per-app sessionmaker is looked up when a session is made.
        # A GET/HEAD request's session is read-only (see _request_reads_only).
        self.session: scoped_session[Session] = scoped_session(
            self._new_request_session, scopefunc=_scope_id  # type: ignore[arg-type]
        )

    def init_app(self, app: Flask) -> None:
        """Bind to the app's database URL; commit once per request; remove the session with the app context."""
        engine = build_engine(app.config["HOTLINE"].database_url)
        app.extensions["hotline_db"] = _BoundDatabase(engine, sessionmaker(bind=engine, expire_on_commit=False),
                                                      _read_only(engine))
        app.before_request(self._tag_request)
        app.after_request(self._commit_request)
        app.teardown_appcontext(self._remove)

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return self._bound().engine

    def bind(self, target: Engine | Connection, app: Flask | None = None) -> None:
        """Point the app's new sessions at ``target``; the tests' transactional fixture binds a Connection."""
        self.session.remove()
        options: dict[str, Any] = {"bind": target}
        if isinstance(target, Connection):
            options["join_transaction_mode"] = "create_savepoint"
        bound = self._bound(app)
        bound.factory.configure(**options)
        bound.read_bind = _read_only(target) if isinstance(target, Engine) else target

    def _bound(self, app: Flask | None = None) -> _BoundDatabase:
        bound: _BoundDatabase = (app or current_app).extensions["hotline_db"]
        return bound

    def new_session(self, read_only: bool = False) -> Session:
        """A session of its own, apart from the request's; the caller closes it. ``read_only`` refuses writes
        and, on SQLite, begins without taking the write lock."""
        return self._session_maker(read_only)()

    def _session_maker(self, read_only: bool) -> Callable[[], Session]:
        bound = self._bound()
        if not read_only:
            return bound.factory
        read_bind = bound.read_bind
        return lambda: bound.factory(bind=read_bind, info={READ_ONLY: True})

    def write_after_commit(self, session: Session, work: Callable[[Session], None]) -> None:
        """After ``session`` commits, run ``work`` in a short writing session of its own and commit it.

        For the odd bookkeeping write of a read-only request (an API token's last use): it takes the write lock
        for one statement after the answer is ready, not for the whole request. A failure is logged, not raised:
        the request it belongs to has already succeeded.
        """
        make = self._session_maker(read_only=False)

        def run() -> None:
            own = make()
            try:
                work(own)
                own.commit()
            except SQLAlchemyError as exc:
                own.rollback()
                log.warning("a write after commit failed", extra={"error": type(exc).__name__})
            finally:
                own.close()

        after_commit(session, run)

    def _new_request_session(self) -> Session:
        session = self.new_session(read_only=_request_reads_only())
        if has_request_context():
            session.info[REQUEST_ID] = g.get("request_id")  # set first thing by hotline.ops.logging
        return session

    def _tag_request(self) -> None:
        # A session made before this request (a test's, bound across requests) takes this request's id; a new
        # one is tagged when it is made, so no request makes a session it does not use.
        if self.session.registry.has():
            self.session().info[REQUEST_ID] = g.get("request_id")

    def stream(self, produce: Callable[[Session], Iterable[T]]) -> Iterator[T]:
        """``produce(session)``'s items, for a streamed response, from a read-only session of the stream's own.

        The request's session is gone (committed, removed) before a streamed body is read, so a stream must
        not use it: a session it reopened would stay in a transaction nobody closes, holding a pooled
        connection (and on SQLite the write lock) until garbage collection. This session is opened when the
        first item is asked for and closed when the stream ends, fails or is abandoned (the server closes it).
        """
        make = self._session_maker(read_only=True)  # bound now: the body is read after the app context ended

        def generate() -> Iterator[T]:
            session = make()
            try:
                yield from produce(session)
            finally:
                session.close()

        return generate()

    def commit_first(self, app: Flask) -> None:
        """Make the request's commit the first after-request hook to run (Flask runs them last registered first),
        once every other is registered: the answer they see (headers, the rate limiter's bookkeeping, the log line)
        is the one the client gets, a commit failure's included, and on SQLite the write lock is let go before
        they run."""
        hooks = app.after_request_funcs.setdefault(None, [])
        hooks.remove(self._commit_request)
        hooks.append(self._commit_request)

    def on_commit_failure(self, app: Flask, handler: CommitFailureHandler) -> None:
        """Let ``handler`` answer a request whose commit failed (returning None passes the error on)."""
        app.extensions["hotline_db"].commit_failure_handlers.append(handler)

    def after_request_commit(self, app: Flask, callback: Callable[[], None]) -> None:
        """Run ``callback`` after every request whose commit succeeded."""
        app.extensions["hotline_db"].after_request_commit.append(callback)

    def _commit_request(self, response: Response) -> Response:
        """The one commit of a request: after a successful response; a failed one rolls everything back.

        A request already answered without the database (``g.answered_without_database``) has nothing to commit.
        """
        if response.status_code >= 400 or g.get("answered_without_database"):
            self.session.rollback()
            return response
        bound = self._bound()
        try:
            self.session.commit()
        except Exception as exc:
            self.session.rollback()
            for handler in bound.commit_failure_handlers:
                answer = handler(exc)
                if answer is not None:
                    return answer
            raise
        for callback in bound.after_request_commit:
            callback()
        return response

    def _remove(self, _exc: BaseException | None = None) -> None:
        self.session.remove()


def _read_only(engine: Engine) -> Engine:
    return engine.execution_options(**{READ_ONLY: True})


def _scope_id() -> int:
    # The app context itself, as Flask-SQLAlchemy scopes its sessions: one context-variable lookup (the session
    # registry asks several times per request). Its session is removed when the context ends.
    ctx = _cv_app.get(None)
    return id(ctx) if ctx is not None else 0
