"""task drafts: a form half filled in, kept for the person who typed it until the task is done

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_draft',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('person_id', sa.String(length=100), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'person_id'),
    )
    op.create_index(op.f('ix_task_draft_case_id'), 'task_draft', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_task_draft_case_id'), table_name='task_draft')
    op.drop_table('task_draft')
