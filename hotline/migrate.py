"""Alembic, driven from Python: used by `hotline db upgrade`, the demo and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from hotline.settings import MIGRATIONS_DIR


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at migrations/ and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def current_heads(database_url: str) -> tuple[str, ...]:
    """The revision ids the migration scripts end in (a healthy history has exactly one)."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
