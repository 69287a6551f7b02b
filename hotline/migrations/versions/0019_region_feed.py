"""regional feed: published weeks, peers and what they sent; peer-scoped API tokens; shareable counter-messages

Revision ID: 0019_region
Revises: 0018_callback
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019_region'
down_revision = '0018_callback'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), nullable=True))
    with op.batch_alter_table('counter_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shareable', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'region_published_weeks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('k', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week_start'),
    )
    op.create_table(
        'region_peers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('token_sealed', sa.LargeBinary(), nullable=False),
        sa.Column('last_week', sa.Date(), nullable=True),
        sa.Column('last_issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_pulled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'region_peer_weeks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['region_peers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('peer_id', 'week_start', name='uq_region_peer_weeks'),
    )
    op.create_index('ix_region_peer_weeks_peer_id', 'region_peer_weeks', ['peer_id'])
    op.create_table(
        'region_peer_rumours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('remote_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('translations', sa.JSON(), nullable=False),
        sa.Column('verification', sa.String(length=16), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['region_peers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('peer_id', 'remote_id', name='uq_region_peer_rumours'),
    )
    op.create_index('ix_region_peer_rumours_peer_id', 'region_peer_rumours', ['peer_id'])
    op.create_table(
        'region_peer_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('remote_id', sa.Integer(), nullable=False),
        sa.Column('remote_rumour_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=32), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['region_peers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('peer_id', 'remote_id', name='uq_region_peer_messages'),
    )
    op.create_index('ix_region_peer_messages_peer_id', 'region_peer_messages', ['peer_id'])


def downgrade() -> None:
    op.drop_table('region_peer_messages')
    op.drop_table('region_peer_rumours')
    op.drop_table('region_peer_weeks')
    op.drop_table('region_peers')
    op.drop_table('region_published_weeks')
    with op.batch_alter_table('counter_messages', schema=None) as batch_op:
        batch_op.drop_column('shareable')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scope')
