"""regional library: adoptions (ours and peers'), campaign evaluations (ours frozen, peers'), peers' audio URLs

Revision ID: 0020_common18
Revises: 0019_region
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020_common18'
down_revision = '0019_region'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('region_peer_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audio_url', sa.String(length=512), nullable=True))
    op.create_table(
        'region_adoptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=True),
        sa.Column('source_key', sa.String(length=64), nullable=False),
        sa.Column('remote_message_id', sa.Integer(), nullable=False),
        sa.Column('adopted_by_id', sa.Integer(), nullable=True),
        sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['counter_messages.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['peer_id'], ['region_peers.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id'),
    )
    op.create_index('ix_region_adoptions_peer_id', 'region_adoptions', ['peer_id'])
    op.create_table(
        'region_peer_adoptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.String(length=64), nullable=False),
        sa.Column('remote_message_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['region_peers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('peer_id', 'source_key', 'remote_message_id', name='uq_region_peer_adoptions'),
    )
    op.create_index('ix_region_peer_adoptions_peer_id', 'region_peer_adoptions', ['peer_id'])
    op.create_index('ix_region_peer_adoptions_source_key', 'region_peer_adoptions', ['source_key'])
    op.create_table(
        'region_published_evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('item', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'stage', name='uq_region_published_evaluations'),
    )
    op.create_index('ix_region_published_evaluations_campaign_id', 'region_published_evaluations', ['campaign_id'])
    op.create_table(
        'region_peer_evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('remote_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('item', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['region_peers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('peer_id', 'remote_id', name='uq_region_peer_evaluations'),
    )
    op.create_index('ix_region_peer_evaluations_peer_id', 'region_peer_evaluations', ['peer_id'])


def downgrade() -> None:
    op.drop_table('region_peer_evaluations')
    op.drop_table('region_published_evaluations')
    op.drop_table('region_peer_adoptions')
    op.drop_table('region_adoptions')
    with op.batch_alter_table('region_peer_messages', schema=None) as batch_op:
        batch_op.drop_column('audio_url')
