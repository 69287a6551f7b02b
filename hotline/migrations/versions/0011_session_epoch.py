"""users: session_epoch, bumped to end every session of a user (logout, deactivation, password or TOTP change)

Revision ID: 0011_session_epoch
Revises: 0010_sms_inbox
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_session_epoch'
down_revision = '0010_sms_inbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows start at 0. Sessions signed before this migration carry no epoch and are refused once.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
