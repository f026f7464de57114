"""login counter: one atomically counted row per person, unknown name and address, instead of a row per failure

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_counter',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index(op.f('ix_login_counter_window_start'), 'login_counter', ['window_start'], unique=False)
    # The failures counted so far lived at most fifteen minutes; they are not carried over.
    op.drop_index(op.f('ix_login_failure_at'), table_name='login_failure')
    op.drop_index(op.f('ix_login_failure_key'), table_name='login_failure')
    op.drop_table('login_failure')


def downgrade() -> None:
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_login_failure_key'), 'login_failure', ['key'], unique=False)
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'], unique=False)
    op.drop_index(op.f('ix_login_counter_window_start'), table_name='login_counter')
    op.drop_table('login_counter')
