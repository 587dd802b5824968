"""reminders and outcomes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:57:49.416210
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=80), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('agency_key', sa.String(length=40), nullable=True),
    sa.Column('reported_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('what_changed', sa.Text(), nullable=False),
    sa.Column('next_step', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_outcomes_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_outcomes_submission_key'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_record_id'), ['record_id'], unique=False)

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_request_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outcome_requests_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_records_outcome_request_at'), ['outcome_request_at'], unique=False)

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_reminder_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminders_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_shares_next_reminder_at'), ['next_reminder_at'], unique=False)

    with op.batch_alter_table('slack_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_slack_messages_outcome_id_outcomes'), 'outcomes', ['outcome_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('slack_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_slack_messages_outcome_id_outcomes'), type_='foreignkey')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('outcome_id')

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_next_reminder_at'))
        batch_op.drop_column('reminders_sent')
        batch_op.drop_column('next_reminder_at')

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_outcome_request_at'))
        batch_op.drop_column('outcome_requests_sent')
        batch_op.drop_column('outcome_request_at')

    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_record_id'))

    op.drop_table('outcomes')
