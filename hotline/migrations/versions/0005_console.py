"""console: protection referrals (escalations) made from the operator console

Revision ID: 0005_console
Revises: 0004_sms
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_console'
down_revision = '0004_sms'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('protection_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('referred_to', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'],
                            name=op.f('fk_protection_referrals_referred_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'],
                            name=op.f('fk_protection_referrals_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protection_referrals'))
    )
    with op.batch_alter_table('protection_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protection_referrals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_referrals_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('protection_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protection_referrals_report_id'))
        batch_op.drop_index(batch_op.f('ix_protection_referrals_created_at'))
    op.drop_table('protection_referrals')
