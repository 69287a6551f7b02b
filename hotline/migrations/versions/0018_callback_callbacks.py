"""callback_consents and callback_attempts: a caller's consent to be called back, and each call-back placed

Revision ID: 0018_callback
Revises: 0017_voicelive
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018_callback'
down_revision = '0017_voicelive'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'callback_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_callback_consents_report_id_reports'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_consents')),
        sa.UniqueConstraint('report_id', name=op.f('uq_callback_consents_report_id')),
    )
    op.create_table(
        'callback_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=True),
        sa.Column('call_sid', sa.String(length=64), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('answered_by', sa.String(length=32), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('duration_seconds', sa.Integer(), nullable=True),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_callback_attempts_placed_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_callback_attempts_report_id_reports'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_attempts')),
        sa.UniqueConstraint('call_sid', name=op.f('uq_callback_attempts_call_sid')),
    )
    op.create_index(op.f('ix_callback_attempts_report_id'), 'callback_attempts', ['report_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_callback_attempts_report_id'), table_name='callback_attempts')
    op.drop_table('callback_attempts')
    op.drop_table('callback_consents')
