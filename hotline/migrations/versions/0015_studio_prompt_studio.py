"""prompt studio: recorded prompt versions and reviewed catalogue texts

Revision ID: 0015_studio
Revises: 0014_focal_point_sign_in
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015_studio'
down_revision = '0014_focal_point_sign_in'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'prompt_recordings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('prompt', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('audio', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('language', 'prompt', 'version', name='uq_prompt_recordings_version'),
    )
    op.create_index('ix_prompt_recordings_status', 'prompt_recordings', ['status', 'language'])
    op.create_table(
        'reviewed_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('domain', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('context', sa.String(length=64), nullable=False),
        sa.Column('msgid', sa.Text(), nullable=False),
        sa.Column('msgid_hash', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reviewed_texts_entry', 'reviewed_texts', ['domain', 'language', 'context', 'msgid_hash'])


def downgrade() -> None:
    op.drop_index('ix_reviewed_texts_entry', table_name='reviewed_texts')
    op.drop_table('reviewed_texts')
    op.drop_index('ix_prompt_recordings_status', table_name='prompt_recordings')
    op.drop_table('prompt_recordings')
