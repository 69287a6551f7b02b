"""Alembic: one head, and the migrated schema is exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from hotline.extensions import db
from hotline.migrate import current_heads
from hotline.models import Base


def test_single_head(database_url: str) -> None:
    assert len(current_heads(database_url)) == 1


def test_models_match_migrations(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_head(app: Flask, database_url: str) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert set(MigrationContext.configure(connection).get_current_heads()) == set(current_heads(database_url))
