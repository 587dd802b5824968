"""challenges, responses and revisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:04:06.912793
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=80), nullable=False),
    sa.Column('raised_by', sa.String(length=32), nullable=False),
    sa.Column('agency_key', sa.String(length=40), nullable=False),
    sa.Column('raised_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('proposed_risk_label', sa.String(length=80), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('closed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_reminder_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_challenges_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenges')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_challenges_submission_key'))
    )
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenges_next_reminder_at'), ['next_reminder_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_challenges_raised_by'), ['raised_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_challenges_record_id'), ['record_id'], unique=False)

    op.create_table('challenge_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=80), nullable=False),
    sa.Column('responded_by', sa.String(length=32), nullable=False),
    sa.Column('responded_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], name=op.f('fk_challenge_responses_challenge_id_challenges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_responses')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_challenge_responses_submission_key'))
    )
    with op.batch_alter_table('challenge_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenge_responses_challenge_id'), ['challenge_id'], unique=False)

    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('revised_by', sa.String(length=32), nullable=False),
    sa.Column('revised_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=True),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.Column('current', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], name=op.f('fk_revisions_challenge_id_challenges')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_revisions_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_revisions_submission_key'))
    )
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revisions_record_id'), ['record_id'], unique=False)

    with op.batch_alter_table('slack_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('slack_messages', schema=None) as batch_op:
        batch_op.drop_column('subject_id')

    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revisions_record_id'))

    op.drop_table('revisions')
    with op.batch_alter_table('challenge_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenge_responses_challenge_id'))

    op.drop_table('challenge_responses')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenges_record_id'))
        batch_op.drop_index(batch_op.f('ix_challenges_raised_by'))
        batch_op.drop_index(batch_op.f('ix_challenges_next_reminder_at'))

    op.drop_table('challenges')
