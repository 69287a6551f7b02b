"""Alembic: one head, and the migrated schema is exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, text

from hotline.extensions import db
from hotline.migrate import current_heads, upgrade
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


def test_0013_keeps_voice_notes_relative_and_remembers_which_candidates_hold_caller_words(tmp_path: Path) -> None:
    """Voice notes stored under an absolute path become relative to their folder; caller-made candidates (not the
    ones staff split off) point at their report, so retention can clear them."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0010_sms_inbox")
    engine = create_engine(url)
    folder = "/srv/hotline/instance/field-voice-notes"
    with engine.begin() as conn:
        for contact_id, channel in ((1, "field"), (2, "voice")):
            conn.execute(text("INSERT INTO contacts (id, channel, provider_id, ivr_path, state, started_at,"
                              " last_activity_at) VALUES (:id, :channel, :p, '[]', '{}', :at, :at)"),
                         {"id": contact_id, "channel": channel, "p": f"P{contact_id}", "at": "2026-01-01 00:00:00"})
        for rec_id, contact_id, path in ((1, 1, f"{folder}/FS-abc.ogg"), (2, 1, "/etc/passwd"),
                                         (3, 2, "2026/01/01/RE1.mp3")):
            conn.execute(text("INSERT INTO recordings (id, contact_id, purpose, storage_path, created_at)"
                              " VALUES (:id, :c, 'report', :path, '2026-01-01 00:00:00')"),
                         {"id": rec_id, "c": contact_id, "path": path})
        for rumour_id in (1, 2, 3):
            conn.execute(text("INSERT INTO rumours (id, canonical_statement, statement_translations, category, status,"
                              " verification, risk, report_count, created_at, updated_at) VALUES (:id, 's', '{}',"
                              " 'other', :status, 'unverified', 'medium', 1, :at, :at)"),
                         {"id": rumour_id, "status": "reviewed" if rumour_id == 3 else "candidate",
                          "at": "2026-01-01 00:00:00"})
            conn.execute(text("INSERT INTO reports (id, contact_id, channel, received_at, week, sensitivity, urgency,"
                              " urgency_rank, status, auto_answered, updated_at, rumour_id) VALUES (:id, 2, 'voice',"
                              " :at, '2025-12-29', 'normal', 'routine', 3, 'new', 0, :at, :id)"),
                         {"id": rumour_id, "at": "2026-01-01 00:00:00"})
        conn.execute(text("INSERT INTO audit_events (at, actor_label, action, entity_type, entity_id)"
                          " VALUES ('2026-01-01 00:00:00', 'user:1', 'rumour.create', 'rumour', 2)"))
    upgrade(url, "head")
    with engine.connect() as conn:
        paths = dict(conn.execute(text("SELECT id, storage_path FROM recordings")).all())
        sources = dict(conn.execute(text("SELECT id, source_report_id FROM rumours")).all())
    engine.dispose()
    assert paths == {1: "FS-abc.ogg", 2: "/etc/passwd", 3: "2026/01/01/RE1.mp3"}  # elsewhere: still refused
    assert sources == {1: 1, 2: None, 3: None}
