"""`hotline backup` and `hotline restore`: a round trip on SQLite, and on PostgreSQL when the suite runs there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.backup.service import PG_MAGIC, SQLITE_MAGIC, BackupError, find_pg_tool, restore
from hotline.cli import cli
from hotline.context import runtime
from hotline.db import build_engine
from hotline.intake.models import Report
from hotline.intake.service import record
from hotline.migrate import upgrade
from tests.databases import scratch_postgres_database
from tests.factories import make_sms_intake


def _seed(app: Flask, url: str, n: int) -> None:
    engine = build_engine(url)
    with Session(engine) as session:
        for i in range(n):
            record(session, make_sms_intake(f"+9370123{i:04d}", f"question {i}"), runtime(app).intake_context())
        session.commit()
    engine.dispose()


def _reports(url: str) -> int:
    engine = build_engine(url)
    with engine.connect() as conn:
        count = int(conn.scalar(select(func.count()).select_from(Report)) or 0)
    engine.dispose()
    return count


def _drop_reports(url: str) -> None:
    engine = build_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(Report))
    engine.dispose()


def _round_trip(make_app: Callable[..., Flask], url: str, backup_file: Path, magic: bytes) -> None:
    upgrade(url)
    app = make_app(database_url=url)
    _seed(app, url, 5)
    runner = app.test_cli_runner()
    made = runner.invoke(cli, ["backup", "-o", str(backup_file)])
    assert made.exit_code == 0, made.output
    assert backup_file.read_bytes().startswith(magic) and oct(backup_file.stat().st_mode & 0o777) == "0o600"
    _drop_reports(url)
    _seed(app, url, 1)
    assert _reports(url) == 1
    declined = runner.invoke(cli, ["restore", str(backup_file)], input="n\n")
    assert declined.exit_code != 0 and _reports(url) == 1
    restored = runner.invoke(cli, ["restore", str(backup_file), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _reports(url) == 5


def test_sqlite_backup_and_restore_round_trip(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    _round_trip(make_app, f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path / "b" / "hotline.sqlite3", SQLITE_MAGIC)
    with pytest.raises(BackupError, match="not a SQLite backup"):
        restore(f"sqlite:///{tmp_path / 'live.sqlite3'}", _junk(tmp_path))


def test_postgresql_backup_and_restore_round_trip(make_app: Callable[..., Flask], database_url: str,
                                                  tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the suite runs on SQLite; the PostgreSQL round trip runs with HOTLINE_TEST_DATABASE=postgresql")
    assert Path(find_pg_tool("pg_dump")).name == "pg_dump"
    with scratch_postgres_database(database_url, "backup", migrate=False) as own:
        _round_trip(make_app, own, tmp_path / "hotline.pgdump", PG_MAGIC)
        with pytest.raises(BackupError, match="not a pg_dump"):
            restore(own, _junk(tmp_path))


def _junk(folder: Path) -> Path:
    path = folder / "junk.bin"
    path.write_bytes(b"not a backup at all")
    return path
