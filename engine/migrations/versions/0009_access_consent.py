"""access consent: whom the affected employee agrees may be let into a confidential case

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'access_consent',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.String(length=100), nullable=False),
        sa.Column('given_by', sa.String(length=100), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', 'person_id'),
    )


def downgrade() -> None:
    op.drop_table('access_consent')
