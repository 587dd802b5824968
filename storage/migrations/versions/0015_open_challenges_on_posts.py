"""each post keeps how many challenges on its record are open, for App Home's questions to answer

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CHALLENGED = sa.text('open_challenges > 0')


def upgrade() -> None:
    # A constant default: neither database rewrites the table to add it (no batch copy on SQLite).
    op.add_column('shares', sa.Column('open_challenges', sa.Integer(), server_default='0', nullable=False))
    # Set-based, and only the posts of records with an open challenge are written.
    op.execute("UPDATE shares SET open_challenges = (SELECT count(*) FROM challenges"
               " WHERE challenges.record_id = shares.record_id AND challenges.state = 'open')"
               " WHERE record_id IN (SELECT record_id FROM challenges WHERE state = 'open')")
    op.create_index('ix_shares_challenged', 'shares', ['agency_key', 'record_id'], unique=False,
                    sqlite_where=CHALLENGED, postgresql_where=CHALLENGED)


def downgrade() -> None:
    op.drop_index('ix_shares_challenged', table_name='shares')
    with op.batch_alter_table('shares') as batch_op:
        batch_op.drop_column('open_challenges')
