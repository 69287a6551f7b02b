"""operator_calls: each caller an operator took, its wait, talk time and wrap-up; operators' own phone, sealed

Revision ID: 0022_incall15
Revises: 0021_spoken15
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022_incall15'
down_revision = '0021_spoken15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'operator_calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('operator_id', sa.Integer(), nullable=True),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('room', sa.String(length=40), nullable=False),
        sa.Column('operator_call_sid', sa.String(length=64), nullable=True),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('wait_seconds', sa.Integer(), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('talk_seconds', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('answer_note', sa.Text(), nullable=True),
        sa.Column('wrapped_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('via', sa.String(length=8), server_default='browser', nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_operator_calls_contact_id_contacts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_operator_calls_operator_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_operator_calls_report_id_reports'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_calls')),
        sa.UniqueConstraint('room', name=op.f('uq_operator_calls_room')),
    )
    with op.batch_alter_table('operator_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_calls_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operator_calls_operator_id'), ['operator_id'], unique=False)
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('phone_hint', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('answer_on', sa.String(length=8), server_default='browser', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.drop_column('answer_on')
        batch_op.drop_column('phone_hint')
        batch_op.drop_column('phone_sealed')
    with op.batch_alter_table('operator_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_calls_operator_id'))
        batch_op.drop_index(batch_op.f('ix_operator_calls_contact_id'))
    op.drop_table('operator_calls')
