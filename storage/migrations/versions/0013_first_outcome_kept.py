"""first outcome kept on the record (records.first_outcome_at); indexes for the partnership figures

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:30:00
"""
from alembic import op
import sqlalchemy as sa

from storage.models import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

AWAITING = sa.text('not_shared_reason IS NULL AND (outcome_requests_sent > 0 OR outcome_request_at IS NOT NULL) '
                   'AND first_outcome_at IS NULL')
AGENCY_RESULT = sa.text('agency_key IS NOT NULL')
# Each record's first outcome for the child (the sharer's, agency_key NULL), as OutcomeService keeps it: one
# set-based UPDATE, before the index exists, so the index is built once over what the UPDATE left.
FILL = ('UPDATE records SET first_outcome_at = f.first_at FROM (SELECT o.record_id, MIN(o.reported_at) AS first_at '
        'FROM outcomes o WHERE o.agency_key IS NULL GROUP BY o.record_id) f '
        'WHERE records.id = f.record_id AND records.first_outcome_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_outcome_at', UTCDateTime(timezone=True), nullable=True))
    op.execute(FILL)
    op.create_index('ix_records_awaiting_outcome', 'records',
                    ['sharer_agency', 'outcome_requests_sent', 'outcome_request_at', 'id'],
                    unique=False, sqlite_where=AWAITING, postgresql_where=AWAITING)
    op.create_index('ix_records_made_ids', 'records', ['created_at', 'id'], unique=False)
    op.create_index('ix_outcomes_agency_results', 'outcomes', ['record_id', 'agency_key'], unique=False,
                    sqlite_where=AGENCY_RESULT, postgresql_where=AGENCY_RESULT)


def downgrade() -> None:
    op.drop_index('ix_outcomes_agency_results', table_name='outcomes')
    op.drop_index('ix_records_made_ids', table_name='records')
    op.drop_index('ix_records_awaiting_outcome', table_name='records')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('first_outcome_at')
