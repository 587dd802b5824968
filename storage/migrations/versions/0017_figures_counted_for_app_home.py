"""the partnership figures counted each minute, kept for App Home

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 12:00:00
"""
from alembic import op
import sqlalchemy as sa

import storage.models

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table, empty: the scheduled count fills it within a minute, and App Home counts inline until then.
    op.create_table('counted_figures',
                    sa.Column('key', sa.String(length=40), nullable=False),
                    sa.Column('counted_at', storage.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('period_start', storage.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('period_end', storage.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('period_first', sa.Date(), nullable=False),
                    sa.Column('period_last', sa.Date(), nullable=False),
                    sa.Column('period_kind', sa.String(length=10), nullable=False),
                    sa.Column('report', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('key', name=op.f('pk_counted_figures')))


def downgrade() -> None:
    op.drop_table('counted_figures')
