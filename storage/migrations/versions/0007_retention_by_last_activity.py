"""retention by last activity

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 15:20:02.603284
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_records_last_activity_at'), ['last_activity_at'], unique=False)

    # Until now the last activity was read from the audit trail; start every record from it.
    op.execute("""
        UPDATE records SET last_activity_at = COALESCE(
            (SELECT MAX(at) FROM audit_events WHERE audit_events.record_id = records.id
             AND audit_events.action IN ('created', 'acknowledged', 'outcome reported', 'challenged', 'responded',
                                         'challenge resolved', 'challenge escalated', 'risk level revised', 'amended')),
            created_at)
        WHERE purged_at IS NULL
    """)



def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_last_activity_at'))
        batch_op.drop_column('last_activity_at')

