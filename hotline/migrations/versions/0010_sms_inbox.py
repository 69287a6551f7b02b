"""sms_inbox: inbound SMS/WhatsApp webhooks, sealed, waiting for the job that files them

Revision ID: 0010_sms_inbox
Revises: 0009_caller_phone_masked
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_sms_inbox'
down_revision = '0009_caller_phone_masked'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sms_inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_sid', sa.String(length=34), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sealed', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_inbox')),
        sa.UniqueConstraint('provider_sid', name=op.f('uq_sms_inbox_provider_sid')),
    )
    op.create_index(op.f('ix_sms_inbox_received_at'), 'sms_inbox', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sms_inbox_received_at'), table_name='sms_inbox')
    op.drop_table('sms_inbox')
