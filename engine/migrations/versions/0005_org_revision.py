"""org revision: a token bumped by every organisation import, so processes can cache the org

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'org_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'revision': 'initial'}])


def downgrade() -> None:
    op.drop_table('org_revision')
