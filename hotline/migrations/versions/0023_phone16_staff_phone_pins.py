"""staff phone PINs: a staff number and a hashed PIN for recording prompts by phone

Revision ID: 0023_phone16
Revises: 0022_incall15
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023_phone16'
down_revision = '0022_incall15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_phone_pins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=8), nullable=False),
        sa.Column('pin_hash', sa.String(length=255), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_phone_pins_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_phone_pins')),
        sa.UniqueConstraint('number', name=op.f('uq_staff_phone_pins_number')),
        sa.UniqueConstraint('user_id', name=op.f('uq_staff_phone_pins_user_id')),
    )


def downgrade() -> None:
    op.drop_table('staff_phone_pins')
