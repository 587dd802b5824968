"""indexes that bound App Home's lists by what it shows

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")
RAISED_SHOWN = sa.text("state IN ('open', 'answered')")
WAITING = sa.text('acknowledged_at IS NULL')
OUTCOME_DUE = sa.text('not_shared_reason IS NULL AND purged_at IS NULL AND first_outcome_at IS NULL')


def upgrade() -> None:
    # The open challenges' index carries the record and who raised it, so App Home's walk never visits the table.
    op.drop_index('ix_challenges_open', table_name='challenges')
    op.create_index('ix_challenges_open', 'challenges', ['raised_at', 'id', 'record_id', 'raised_by'], unique=False,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_challenges_open_on', 'challenges', ['record_id'], unique=False,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_challenges_raised', 'challenges', ['raised_by', 'raised_at', 'id'], unique=False,
                    sqlite_where=RAISED_SHOWN, postgresql_where=RAISED_SHOWN)
    # The waiting posts' ids in their index too (PostgreSQL's indexes do not carry them), and each record's time by
    # id, so App Home sorts an agency's waiting posts from indexes alone.
    op.drop_index('ix_shares_waiting', table_name='shares')
    op.create_index('ix_shares_waiting', 'shares', ['agency_key', 'record_id', 'id'], unique=False,
                    sqlite_where=WAITING, postgresql_where=WAITING)
    op.create_index('ix_records_id_made', 'records', ['id', 'created_at'], unique=False)
    op.create_index('ix_records_outcome_due', 'records', ['sharer_id', 'follow_up_on', 'id'], unique=False,
                    sqlite_where=OUTCOME_DUE, postgresql_where=OUTCOME_DUE)


def downgrade() -> None:
    op.drop_index('ix_records_outcome_due', table_name='records')
    op.drop_index('ix_records_id_made', table_name='records')
    op.drop_index('ix_shares_waiting', table_name='shares')
    op.create_index('ix_shares_waiting', 'shares', ['agency_key', 'record_id'], unique=False,
                    sqlite_where=WAITING, postgresql_where=WAITING)
    op.drop_index('ix_challenges_raised', table_name='challenges')
    op.drop_index('ix_challenges_open_on', table_name='challenges')
    op.drop_index('ix_challenges_open', table_name='challenges')
    op.create_index('ix_challenges_open', 'challenges', ['raised_at', 'id'], unique=False,
                    sqlite_where=OPEN, postgresql_where=OPEN)
