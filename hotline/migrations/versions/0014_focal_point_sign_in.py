"""focal_points: random public numbers, a credential epoch ending old sessions, PIN failure counting

Existing focal points get a random number (their old number, the row id, no longer signs in) and their 6-digit PINs
are erased: supervisors issue new credentials (link and 10-digit PIN) and tell each focal point their new number.
Sessions opened before this migration carry no epoch and end at the next request.

Revision ID: 0014_focal_point_sign_in
Revises: 0013_retention_sources
Create Date: 2026-12-01
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0014_focal_point_sign_in'
down_revision = '0013_retention_sources'
branch_labels = None
depends_on = None

_points = sa.table('focal_points', sa.column('id', sa.Integer), sa.column('public_number', sa.String),
                   sa.column('pin_hash', sa.String), sa.column('revoked_at', sa.DateTime(timezone=True)),
                   sa.column('sessions_valid_after', sa.DateTime(timezone=True)))


def _new_number() -> str:
    # As hotline.field.credentials.new_public_number, copied: a migration must not change when the app does.
    return secrets.choice('123456789') + ''.join(secrets.choice('0123456789') for _ in range(7))


def upgrade() -> None:
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_number', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('credential_epoch', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('pin_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('pin_failed_at', sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    used: set[str] = set()
    for (point_id,) in bind.execute(sa.select(_points.c.id)).all():
        number = _new_number()
        while number in used:
            number = _new_number()
        used.add(number)
        bind.execute(_points.update().where(_points.c.id == point_id).values(public_number=number))
    bind.execute(_points.update().values(pin_hash=None))  # 6-digit PINs: too short to keep
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.alter_column('public_number', existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column('credential_epoch', existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column('pin_failures', existing_type=sa.Integer(), server_default=None)
        batch_op.create_unique_constraint(batch_op.f('uq_focal_points_public_number'), ['public_number'])
        batch_op.drop_column('sessions_valid_after')


def downgrade() -> None:
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sessions_valid_after', sa.DateTime(timezone=True), nullable=True))
    # Revoked focal points keep their sessions ended under the older scheme.
    op.get_bind().execute(_points.update().where(_points.c.revoked_at.is_not(None))
                          .values(sessions_valid_after=_points.c.revoked_at))
    with op.batch_alter_table('focal_points', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_focal_points_public_number'), type_='unique')
        batch_op.drop_column('pin_failed_at')
        batch_op.drop_column('pin_failures')
        batch_op.drop_column('credential_epoch')
        batch_op.drop_column('public_number')
