"""email: the outbox of emails to agencies not in Slack, reminders and copies

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00
"""
from alembic import op
import sqlalchemy as sa

from storage.models import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'email_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('agency_key', sa.String(length=40), nullable=True),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('requested_by', sa.String(length=32), nullable=True),
        sa.Column('pending', sa.Boolean(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', UTCDateTime(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.String(length=80), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('failed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_email_messages_record_id_records')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages')),
        sa.UniqueConstraint('key', name=op.f('uq_email_messages_key')),
    )
    op.create_index('ix_email_messages_due', 'email_messages', ['pending', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_email_messages_record_id'), 'email_messages', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_email_messages_record_id'), table_name='email_messages')
    op.drop_index('ix_email_messages_due', table_name='email_messages')
    op.drop_table('email_messages')
