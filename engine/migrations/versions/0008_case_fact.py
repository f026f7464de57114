"""case facts: what the committees' figures count of each case, kept after a retention purge

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_fact',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=50), nullable=True),
        sa.Column('severity', sa.Integer(), nullable=True),
        sa.Column('acted_by', sa.String(length=50), nullable=True),
        sa.Column('injured', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id'),
    )
    # Cases from before have a row to update on their next save; until then they count as "not stated".
    op.execute("INSERT INTO case_fact (case_id, injured) SELECT id, false FROM \"case\"")


def downgrade() -> None:
    op.drop_table('case_fact')
