"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('callers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('key_version', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('reply_address', sa.LargeBinary(), nullable=True),
    sa.Column('reply_address_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heard_via', sa.String(length=32), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callers')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_callers_pseudonym'))
    )
    with op.batch_alter_table('callers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callers_reply_address_expires_at'), ['reply_address_expires_at'], unique=False)

    op.create_table('rumours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canonical_statement', sa.Text(), nullable=False),
    sa.Column('statement_translations', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=48), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('verification', sa.String(length=16), nullable=False),
    sa.Column('risk', sa.String(length=8), nullable=False),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('monitoring_outcome', sa.Text(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['rumours.id'], name=op.f('fk_rumours_merged_into_id_rumours'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rumours'))
    )
    with op.batch_alter_table('rumours', schema=None) as batch_op:
        batch_op.create_index('ix_rumours_status_category', ['status', 'category'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('ui_locale', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_secret', sa.LargeBinary(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('request_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_audit_events_actor_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id', 'at'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('target_categories', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_table('counter_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rumour_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('audio_path', sa.String(length=512), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_counter_messages_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_counter_messages_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rumour_id'], ['rumours.id'], name=op.f('fk_counter_messages_rumour_id_rumours'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_messages'))
    )
    with op.batch_alter_table('counter_messages', schema=None) as batch_op:
        batch_op.create_index('ix_counter_messages_lookup', ['status', 'language', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_counter_messages_rumour_id'), ['rumour_id'], unique=False)

    op.create_table('focal_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('admin1', sa.String(length=16), nullable=True),
    sa.Column('area', sa.String(length=200), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('pin_hash', sa.String(length=255), nullable=True),
    sa.Column('link_token_hash', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['caller_id'], ['callers.id'], name=op.f('fk_focal_points_caller_id_callers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focal_points')),
    sa.UniqueConstraint('caller_id', name=op.f('uq_focal_points_caller_id')),
    sa.UniqueConstraint('link_token_hash', name=op.f('uq_focal_points_link_token_hash'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('focal_point_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('hotline_number', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('language_confidence', sa.Float(), nullable=True),
    sa.Column('ivr_path', sa.JSON(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=True),
    sa.Column('heard_via', sa.String(length=32), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['callers.id'], name=op.f('fk_contacts_caller_id_callers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['focal_point_id'], ['focal_points.id'], name=op.f('fk_contacts_focal_point_id_focal_points'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_contacts_provider_id'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_caller_last_activity', ['caller_id', 'channel', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_contacts_started_at', ['started_at'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('encoding', sa.String(length=8), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=True),
    sa.Column('num_media', sa.Integer(), nullable=False),
    sa.Column('media', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_messages_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_messages_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('provider_sid', name=op.f('uq_messages_provider_sid'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_contact_created', ['contact_id', 'created_at'], unique=False)

    op.create_table('recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('media_url', sa.String(length=512), nullable=True),
    sa.Column('storage_path', sa.String(length=512), nullable=True),
    sa.Column('content_type', sa.String(length=64), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_recordings_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings')),
    sa.UniqueConstraint('provider_sid', name=op.f('uq_recordings_provider_sid'))
    )
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordings_contact_id'), ['contact_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('recording_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('code', sa.String(length=48), nullable=True),
    sa.Column('type_confidence', sa.Float(), nullable=True),
    sa.Column('category_confidence', sa.Float(), nullable=True),
    sa.Column('classifier_version', sa.String(length=32), nullable=True),
    sa.Column('coded_by_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('translation', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('language_confidence', sa.Float(), nullable=True),
    sa.Column('sensitivity', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('urgency_rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('auto_answered', sa.Boolean(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('admin1', sa.String(length=16), nullable=True),
    sa.Column('people_count', sa.Integer(), nullable=True),
    sa.Column('rumour_id', sa.Integer(), nullable=True),
    sa.Column('rumour_match_score', sa.Float(), nullable=True),
    sa.Column('text_redacted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_reports_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['caller_id'], ['callers.id'], name=op.f('fk_reports_caller_id_callers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coded_by_id'], ['users.id'], name=op.f('fk_reports_coded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_reports_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_reports_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_reports_recording_id_recordings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rumour_id'], ['rumours.id'], name=op.f('fk_reports_rumour_id_rumours'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('source_id', name=op.f('uq_reports_source_id'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_assignee', ['assignee_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_caller_id'), ['caller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_reports_queue', ['status', 'language', 'urgency_rank', 'received_at'], unique=False)
        batch_op.create_index('ix_reports_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_reports_rumour', ['rumour_id', 'received_at'], unique=False)
        batch_op.create_index('ix_reports_trends', ['week', 'country', 'language', 'channel', 'type', 'category'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_trends')
        batch_op.drop_index('ix_reports_rumour')
        batch_op.drop_index('ix_reports_received_at')
        batch_op.drop_index('ix_reports_queue')
        batch_op.drop_index(batch_op.f('ix_reports_contact_id'))
        batch_op.drop_index(batch_op.f('ix_reports_caller_id'))
        batch_op.drop_index('ix_reports_assignee')

    op.drop_table('reports')
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordings_contact_id'))

    op.drop_table('recordings')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_contact_created')

    op.drop_table('messages')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_started_at')
        batch_op.drop_index('ix_contacts_caller_last_activity')

    op.drop_table('contacts')
    op.drop_table('focal_points')
    with op.batch_alter_table('counter_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_messages_rumour_id'))
        batch_op.drop_index('ix_counter_messages_lookup')

    op.drop_table('counter_messages')
    op.drop_table('campaigns')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('rumours', schema=None) as batch_op:
        batch_op.drop_index('ix_rumours_status_category')

    op.drop_table('rumours')
    with op.batch_alter_table('callers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callers_reply_address_expires_at'))

    op.drop_table('callers')
    
