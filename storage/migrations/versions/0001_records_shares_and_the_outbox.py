"""records, shares and the outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 13:49:24.363552
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=80), nullable=False),
    sa.Column('case_reference', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sharer_id', sa.String(length=32), nullable=False),
    sa.Column('sharer_agency', sa.String(length=40), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('others_present', sa.Text(), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('purpose_detail', sa.Text(), nullable=False),
    sa.Column('requested_action', sa.Text(), nullable=False),
    sa.Column('first_hand', sa.Boolean(), nullable=False),
    sa.Column('lawful_basis', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('risk_key', sa.String(length=40), nullable=False),
    sa.Column('risk_label', sa.String(length=80), nullable=False),
    sa.Column('risk_definition', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=False),
    sa.Column('not_shared_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_records_submission_key'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_case_reference'), ['case_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_sharer_id'), ['sharer_id'], unique=False)

    op.create_table('sharer_preferences',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('agency_key', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_sharer_preferences'))
    )
    op.create_table('shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('agency_key', sa.String(length=40), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=32), nullable=True),
    sa.Column('acknowledged_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledgement_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_shares_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares')),
    sa.UniqueConstraint('record_id', 'agency_key', name=op.f('uq_shares_record_id'))
    )
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shares_agency_key'), ['agency_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_shares_record_id'), ['record_id'], unique=False)

    op.create_table('slack_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('agency_key', sa.String(length=40), nullable=True),
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('permalink', sa.String(length=300), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('delivered_version', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('post_started_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('failed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['slack_messages.id'], name=op.f('fk_slack_messages_parent_id_slack_messages')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_slack_messages_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slack_messages')),
    sa.UniqueConstraint('key', name=op.f('uq_slack_messages_key'))
    )
    with op.batch_alter_table('slack_messages', schema=None) as batch_op:
        batch_op.create_index('ix_slack_messages_due', ['pending', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_slack_messages_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('slack_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_messages_record_id'))
        batch_op.drop_index('ix_slack_messages_due')

    op.drop_table('slack_messages')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_record_id'))
        batch_op.drop_index(batch_op.f('ix_shares_agency_key'))

    op.drop_table('shares')
    op.drop_table('sharer_preferences')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_sharer_id'))
        batch_op.drop_index(batch_op.f('ix_records_case_reference'))

    op.drop_table('records')
