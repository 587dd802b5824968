"""person_languages: each person's choice of Cymraeg or English

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:00:00
"""
from alembic import op
import sqlalchemy as sa

from storage.models import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'person_languages',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('chosen_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_person_languages')),
    )


def downgrade() -> None:
    op.drop_table('person_languages')
