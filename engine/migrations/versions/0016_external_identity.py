"""external identities and people who left: single sign-on keyed on (issuer, subject), a person's active flag

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        'external_identity',
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('person_id', sa.String(length=100), nullable=False),
        sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('issuer', 'subject'),
    )
    op.create_index(op.f('ix_external_identity_person_id'), 'external_identity', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_external_identity_person_id'), table_name='external_identity')
    op.drop_table('external_identity')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('active')
