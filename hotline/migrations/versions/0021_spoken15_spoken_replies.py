"""spoken_replies and spoken_reply_attempts: answers played on the phone to callers who cannot read

Revision ID: 0021_spoken15
Revises: 0020_common18
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021_spoken15'
down_revision = '0020_common18'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'spoken_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('audio', sa.LargeBinary(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=True),
        sa.Column('counter_message_id', sa.Integer(), nullable=True),
        sa.Column('audio_key', sa.String(length=32), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['counter_message_id'], ['counter_messages.id'],
                                name=op.f('fk_spoken_replies_counter_message_id_counter_messages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_spoken_replies_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_spoken_replies_report_id_reports'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spoken_replies')),
        sa.UniqueConstraint('audio_key', name=op.f('uq_spoken_replies_audio_key')),
    )
    op.create_index(op.f('ix_spoken_replies_report_id'), 'spoken_replies', ['report_id'], unique=False)
    op.create_table(
        'spoken_reply_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reply_id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=True),
        sa.Column('call_sid', sa.String(length=64), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('answered_by', sa.String(length=32), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('plays', sa.Integer(), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('question_report_id', sa.Integer(), nullable=True),
        sa.Column('duration_seconds', sa.Integer(), nullable=True),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('played_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'],
                                name=op.f('fk_spoken_reply_attempts_placed_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['question_report_id'], ['reports.id'],
                                name=op.f('fk_spoken_reply_attempts_question_report_id_reports'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reply_id'], ['spoken_replies.id'],
                                name=op.f('fk_spoken_reply_attempts_reply_id_spoken_replies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'],
                                name=op.f('fk_spoken_reply_attempts_report_id_reports'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spoken_reply_attempts')),
        sa.UniqueConstraint('call_sid', name=op.f('uq_spoken_reply_attempts_call_sid')),
    )
    op.create_index(op.f('ix_spoken_reply_attempts_reply_id'), 'spoken_reply_attempts', ['reply_id'], unique=False)
    op.create_index(op.f('ix_spoken_reply_attempts_report_id'), 'spoken_reply_attempts', ['report_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_spoken_reply_attempts_report_id'), table_name='spoken_reply_attempts')
    op.drop_index(op.f('ix_spoken_reply_attempts_reply_id'), table_name='spoken_reply_attempts')
    op.drop_table('spoken_reply_attempts')
    op.drop_index(op.f('ix_spoken_replies_report_id'), table_name='spoken_replies')
    op.drop_table('spoken_replies')
