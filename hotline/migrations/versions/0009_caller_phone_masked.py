"""callers: the masked phone number staff see, kept and purged with the reply address

Revision ID: 0009_caller_phone_masked
Revises: 0008_field
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_caller_phone_masked'
down_revision = '0008_field'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('callers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_masked', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('callers', schema=None) as batch_op:
        batch_op.drop_column('phone_masked')
