"""Scratch PostgreSQL databases for tests that need one of their own (servers in other processes, restores)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hotline.migrate import upgrade


def _admin_execute(url: str, *statements: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


def recreate_postgres_database(url: str) -> None:
    """Drop the database ``url`` names (sessions included) and create it empty."""
    name = make_url(url).database
    _admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


@contextmanager
def scratch_postgres_database(base_url: str, suffix: str, migrate: bool = True) -> Iterator[str]:
    """A fresh database named after ``base_url``'s plus ``_suffix`` (migrated unless told not), dropped after."""
    url = make_url(base_url)
    own = url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)
    recreate_postgres_database(own)
    try:
        if migrate:
            upgrade(own)
        yield own
    finally:
        _admin_execute(own, f'DROP DATABASE IF EXISTS "{make_url(own).database}" WITH (FORCE)')


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements run on the session's engine inside the block, without the test's own savepoints."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            seen.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
