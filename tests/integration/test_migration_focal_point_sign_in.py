"""Migration 0014 on a database that already has focal points: random numbers, old PINs erased, and back."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from hotline.migrate import alembic_config, upgrade

REVISION = "0014_focal_point_sign_in"


def test_existing_focal_points_get_random_numbers_and_lose_their_short_pins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    config = alembic_config(url)
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    upgrade(url, before)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for name in ("One", "Two", "Three"):
            connection.execute(sa.text(
                "INSERT INTO focal_points (display_name, kind, languages, pin_hash, created_at) "
                "VALUES (:name, 'teacher', '[\"prs\"]', 'argon2-of-a-6-digit-pin', '2026-11-01 00:00:00')"),
                {"name": name})
    upgrade(url, REVISION)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT id, public_number, pin_hash, credential_epoch, pin_failures FROM focal_points")).all()
    assert len({row.public_number for row in rows}) == 3
    for row in rows:
        assert re.fullmatch(r"[1-9]\d{7}", row.public_number) and row.public_number != str(row.id)
        assert row.pin_hash is None and row.credential_epoch == 1 and row.pin_failures == 0
    command.downgrade(config, before)
    with engine.connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns("focal_points")}
    assert "sessions_valid_after" in columns and "public_number" not in columns
    engine.dispose()
