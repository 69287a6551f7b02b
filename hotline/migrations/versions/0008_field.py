"""field: focal points' masked phone for staff display, session revocation time

Revision ID: 0008_field
Revises: 0005_console
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_field'
down_revision = '0005_console'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_masked', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sessions_valid_after', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.drop_column('sessions_valid_after')
        batch_op.drop_column('phone_masked')
