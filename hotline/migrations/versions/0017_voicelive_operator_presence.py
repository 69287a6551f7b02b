"""operator_presence: operators available / busy / away for calls, and their softphone's opaque identity

Revision ID: 0017_voicelive
Revises: 0016_console
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017_voicelive'
down_revision = '0016_console'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'operator_presence',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('client_identity', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_operator_presence_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_operator_presence')),
        sa.UniqueConstraint('client_identity', name=op.f('uq_operator_presence_client_identity')),
    )
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_presence_seen_at'), ['seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_presence_seen_at'))
    op.drop_table('operator_presence')
