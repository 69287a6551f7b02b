"""signin: a code-failure counter, the last TOTP step used, and the pending second-step nonce on users

Revision ID: 0012_signin
Revises: 0011_session_epoch
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_signin'
down_revision = '0011_session_epoch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('login_nonce', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('login_nonce')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('code_failures')
