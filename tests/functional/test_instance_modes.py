"""The instance folder is this user's alone: folders 0700, files 0600 (database and its -wal/-shm, voice notes,
recordings, demo secrets), whatever the umask."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from hotline.app import create_app
from hotline.db import build_engine
from hotline.field.service import VoiceNote, store_voice_note
from hotline.files import private_dir, write_private
from tests.conftest import NO_TWILIO


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """A server's usual umask (022): without care, new files would be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_instance_folder_and_its_sqlite_database_are_private(tmp_path: Path) -> None:
    instance = tmp_path / "var" / "instance"
    app = create_app({"HOTLINE_MODE": "demo", "HOTLINE_INSTANCE_PATH": str(instance),
                      "HOTLINE_TWILIO_API_BASE": NO_TWILIO})
    engine = app.extensions["hotline_db"].engine
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (x INTEGER)"))
        connection.execute(text("INSERT INTO probe VALUES (1)"))
        database = instance / "hotline.sqlite3"
        assert mode(instance) == 0o700
        assert mode(instance / "demo-secrets.json") == 0o600
        assert mode(database) == 0o600
        # WAL mode: both exist while a connection is open; the writers' lock file once a transaction has written.
        for suffix in ("-wal", "-shm", "-writer"):
            companion = database.with_name(database.name + suffix)
            assert companion.exists() and mode(companion) == 0o600, suffix
    engine.dispose()


def test_an_existing_instance_folder_and_database_are_tightened(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)  # noqa: S103 - the loose mode the app must tighten
    database = instance / "other.sqlite3"
    database.touch()
    os.chmod(database, 0o644)
    create_app({"HOTLINE_MODE": "demo", "HOTLINE_INSTANCE_PATH": str(instance), "HOTLINE_TWILIO_API_BASE": NO_TWILIO})
    assert mode(instance) == 0o700
    build_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


def test_voice_notes_are_private(tmp_path: Path) -> None:
    stored = store_voice_note(tmp_path / "instance" / "field-voice-notes", "abc", VoiceNote("audio/ogg", b"OggS"))
    assert mode(stored) == 0o600 and mode(stored.parent) == 0o700


def test_private_folders_and_files_ignore_the_umask(tmp_path: Path) -> None:
    deep = private_dir(tmp_path / "a" / "b" / "c")
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", deep)] == [0o700] * 3
    existing = tmp_path / "file"
    existing.write_bytes(b"old")
    os.chmod(existing, 0o644)
    assert mode(write_private(existing, b"new")) == 0o600 and existing.read_bytes() == b"new"
