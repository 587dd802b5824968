"""each post keeps whether its agency owes the sharer its result, for App Home's results due

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 17:00:00
"""
from alembic import op
import sqlalchemy as sa

import storage.models

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

RESULT_DUE = sa.text('result_due_since IS NOT NULL')


def upgrade() -> None:
    # Nullable with no default: neither database rewrites the table to add it.
    op.add_column('shares', sa.Column('result_due_since', storage.models.UTCDateTime(timezone=True), nullable=True))
    # Set-based, from the records that ask for an action (ix_records_asking): only posts owing a result are written.
    op.execute("UPDATE shares SET result_due_since = acknowledged_at"
               " WHERE acknowledged_at IS NOT NULL"
               " AND record_id IN (SELECT id FROM records WHERE requested_action <> '' AND purged_at IS NULL)"
               " AND NOT EXISTS (SELECT 1 FROM outcomes WHERE outcomes.record_id = shares.record_id"
               " AND outcomes.agency_key = shares.agency_key)")
    op.create_index('ix_shares_result_due', 'shares', ['agency_key', 'result_due_since', 'id'], unique=False,
                    sqlite_where=RESULT_DUE, postgresql_where=RESULT_DUE)


def downgrade() -> None:
    op.drop_index('ix_shares_result_due', table_name='shares')
    with op.batch_alter_table('shares') as batch_op:
        batch_op.drop_column('result_due_since')
