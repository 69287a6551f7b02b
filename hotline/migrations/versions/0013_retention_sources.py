"""retention_sources: candidate rumours remember the report whose words made them; field voice notes are stored
relative to their folder

Revision ID: 0013_retention_sources
Revises: 0012_signin
Create Date: 2026-12-03
"""
from __future__ import annotations

from pathlib import PurePosixPath

import sqlalchemy as sa
from alembic import op

revision = '0013_retention_sources'
down_revision = '0012_signin'
branch_labels = None
depends_on = None

VOICE_NOTES_FOLDER = 'field-voice-notes'  # <instance>/field-voice-notes: the only place voice notes were written


def upgrade() -> None:
    with op.batch_alter_table('rumours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_rumours_source_report_id'), ['source_report_id'], unique=False)
    bind = op.get_bind()
    # Candidates the classifier made from a report's words: every candidate but those staff split off (audited as
    # rumour.create, with a statement of their own). Their first report is the one whose words they hold.
    bind.execute(sa.text(
        "UPDATE rumours SET source_report_id = (SELECT min(reports.id) FROM reports WHERE reports.rumour_id = rumours.id)"
        " WHERE status = 'candidate' AND id NOT IN (SELECT entity_id FROM audit_events"
        " WHERE action = 'rumour.create' AND entity_type = 'rumour' AND entity_id IS NOT NULL)"))
    # Field voice notes were stored under their absolute path: keep only the name inside their folder.
    rows = bind.execute(sa.text(
        "SELECT recordings.id, recordings.storage_path FROM recordings JOIN contacts ON contacts.id ="
        " recordings.contact_id WHERE contacts.channel = 'field' AND recordings.storage_path LIKE '/%'")).all()
    for recording_id, stored in rows:
        path = PurePosixPath(stored)
        if path.parent.name == VOICE_NOTES_FOLDER and '..' not in path.parts:
            bind.execute(sa.text("UPDATE recordings SET storage_path = :name WHERE id = :id"),
                         {"name": path.name, "id": recording_id})


def downgrade() -> None:
    with op.batch_alter_table('rumours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rumours_source_report_id'))
        batch_op.drop_column('source_report_id')
