"""events seen

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:20:12.054317
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('seen_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_seen_events'))
    )
    with op.batch_alter_table('seen_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_events_received_at'), ['received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('seen_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_events_received_at'))

    op.drop_table('seen_events')
