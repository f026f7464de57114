"""task figures: what a committee's annual task shows, frozen when it was created; cases by unit and time

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_figures',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id'),
    )
    op.create_index(op.f('ix_task_figures_case_id'), 'task_figures', ['case_id'], unique=False)
    op.create_index('ix_case_unit_created', 'case', ['unit_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_unit_created', table_name='case')
    op.drop_index(op.f('ix_task_figures_case_id'), table_name='task_figures')
    op.drop_table('task_figures')
