"""access log lists: one row per view of a list of cases, naming the cases it showed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('case_ids', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM access_log WHERE case_id IS NULL")
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('case_ids')
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
