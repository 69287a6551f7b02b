"""referral_partners per country; protection_referrals gain a partner, a sent/accepted/closed status and its time

Existing open referrals become "sent".

Revision ID: 0016_console
Revises: 0015_studio
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016_console'
down_revision = '0015_studio'
branch_labels = None
depends_on = None

_referrals = sa.table('protection_referrals', sa.column('status', sa.String))


def upgrade() -> None:
    op.create_table('referral_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('services', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_partners'))
    )
    with op.batch_alter_table('referral_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_partners_country'), ['country'], unique=False)
    with op.batch_alter_table('protection_referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_protection_referrals_partner_id_referral_partners'),
                                    'referral_partners', ['partner_id'], ['id'], ondelete='SET NULL')
    op.execute(_referrals.update().where(_referrals.c.status == 'open').values(status='sent'))


def downgrade() -> None:
    op.execute(_referrals.update().where(_referrals.c.status.in_(('sent', 'accepted'))).values(status='open'))
    with op.batch_alter_table('protection_referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_protection_referrals_partner_id_referral_partners'),
                                 type_='foreignkey')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('partner_id')
    with op.batch_alter_table('referral_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_partners_country'))
    op.drop_table('referral_partners')
