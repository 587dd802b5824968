"""audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:02:40.782251
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('surface', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_record_id'))

    op.drop_table('audit_events')
