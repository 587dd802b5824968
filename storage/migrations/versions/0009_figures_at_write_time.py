"""figures at write time: working seconds kept on shares and challenges, indexes for the partnership figures

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

UNACKNOWLEDGED = sa.text('acknowledged_at IS NULL')
ASKED = sa.text('not_shared_reason IS NULL AND (outcome_requests_sent > 0 OR outcome_request_at IS NOT NULL)')
UNCOUNTED = sa.text('acknowledged_at IS NOT NULL AND working_seconds_to_acknowledge IS NULL')
ASKING = sa.text("requested_action <> '' AND purged_at IS NULL")
OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    # Rows acknowledged or answered before this keep NULL: the figures work those out from the days table.
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_seconds_to_acknowledge', sa.Integer(), nullable=True))
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_seconds_to_answer', sa.Integer(), nullable=True))
    op.create_index('ix_records_made', 'records', ['created_at', 'sharer_agency'], unique=False)
    # With the id, PostgreSQL counts the overdue outcomes from the index alone (an index-only scan).
    op.create_index('ix_records_asked', 'records',
                    ['sharer_agency', 'outcome_requests_sent', 'outcome_request_at', 'id'],
                    unique=False, sqlite_where=ASKED, postgresql_where=ASKED)
    op.create_index('ix_shares_unacknowledged', 'shares', ['agency_key', 'reminders_sent', 'next_reminder_at'],
                    unique=False, sqlite_where=UNACKNOWLEDGED, postgresql_where=UNACKNOWLEDGED)
    op.create_index('ix_shares_posts', 'shares',
                    ['record_id', 'agency_key', 'working_seconds_to_acknowledge', 'acknowledged_at'], unique=False)
    op.create_index('ix_shares_uncounted', 'shares', ['record_id'], unique=False,
                    sqlite_where=UNCOUNTED, postgresql_where=UNCOUNTED)
    op.create_index('ix_outcomes_first_report', 'outcomes', ['record_id', 'agency_key', 'reported_at'], unique=False)
    op.create_index(op.f('ix_challenges_raised_at'), 'challenges', ['raised_at'], unique=False)
    # App Home: the waiting list, the results due and the questions to answer, each by what it shows.
    op.create_index('ix_shares_waiting', 'shares', ['agency_key', 'record_id'], unique=False,
                    sqlite_where=UNACKNOWLEDGED, postgresql_where=UNACKNOWLEDGED)
    op.create_index('ix_records_asking', 'records', ['id'], unique=False,
                    sqlite_where=ASKING, postgresql_where=ASKING)
    op.create_index('ix_challenges_open', 'challenges', ['raised_at', 'id'], unique=False,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_records_mine', 'records', ['sharer_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_revisions_revised_at'), 'revisions', ['revised_at'], unique=False)
    op.create_index(op.f('ix_slack_messages_failed_at'), 'slack_messages', ['failed_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_slack_messages_failed_at'), table_name='slack_messages')
    op.drop_index(op.f('ix_revisions_revised_at'), table_name='revisions')
    op.drop_index('ix_records_mine', table_name='records')
    op.drop_index('ix_challenges_open', table_name='challenges')
    op.drop_index('ix_records_asking', table_name='records')
    op.drop_index('ix_shares_waiting', table_name='shares')
    op.drop_index(op.f('ix_challenges_raised_at'), table_name='challenges')
    op.drop_index('ix_outcomes_first_report', table_name='outcomes')
    op.drop_index('ix_shares_uncounted', table_name='shares')
    op.drop_index('ix_shares_posts', table_name='shares')
    op.drop_index('ix_shares_unacknowledged', table_name='shares')
    op.drop_index('ix_records_asked', table_name='records')
    op.drop_index('ix_records_made', table_name='records')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_column('working_seconds_to_answer')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('working_seconds_to_acknowledge')
