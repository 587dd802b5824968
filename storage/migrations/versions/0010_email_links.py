"""email links: personal links to a shared record, for people outside the partnership's Slack

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:45:00
"""
from alembic import op
import sqlalchemy as sa

from storage.models import UTCDateTime


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'email_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('share_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('device_hash', sa.String(length=64), nullable=True),
        sa.Column('bound_at', UTCDateTime(), nullable=True),
        sa.Column('renewed_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['share_id'], ['shares.id'], name=op.f('fk_email_links_share_id_shares')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_links')),
        sa.UniqueConstraint('share_id', 'address', name=op.f('uq_email_links_share_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_email_links_token_hash')),
    )
    op.create_index(op.f('ix_email_links_share_id'), 'email_links', ['share_id'], unique=False)
    op.create_index(op.f('ix_email_links_address'), 'email_links', ['address'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_email_links_address'), table_name='email_links')
    op.drop_index(op.f('ix_email_links_share_id'), table_name='email_links')
    op.drop_table('email_links')
