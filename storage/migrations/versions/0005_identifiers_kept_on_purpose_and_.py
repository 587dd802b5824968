"""identifiers kept on purpose, and retention

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 14:11:16.482650
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifiers_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifiers_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifiers_found', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('identifiers_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('purged_at', storage.models.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('identifiers_reason')
        batch_op.drop_column('identifiers_found')

    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_column('identifiers_reason')

    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_column('identifiers_reason')

