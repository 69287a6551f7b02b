"""cross-border rumours: a peer's rumour linked to a local one (suggested, then confirmed or rejected)

Revision ID: 0024_xborder18
Revises: 0023_phone16
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024_xborder18'
down_revision = '0023_phone16'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'region_rumour_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('peer_rumour_id', sa.Integer(), nullable=False),
        sa.Column('rumour_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['peer_rumour_id'], ['region_peer_rumours.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['rumour_id'], ['rumours.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('peer_rumour_id', 'rumour_id', name='uq_region_rumour_links'),
    )
    op.create_index('ix_region_rumour_links_peer_rumour_id', 'region_rumour_links', ['peer_rumour_id'])
    op.create_index('ix_region_rumour_links_rumour_id', 'region_rumour_links', ['rumour_id'])
    op.create_index('ix_region_rumour_links_status', 'region_rumour_links', ['status'])


def downgrade() -> None:
    op.drop_table('region_rumour_links')
