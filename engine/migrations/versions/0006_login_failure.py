"""login failures: the log-in throttle's counts, shared by every web process

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_login_failure_key'), 'login_failure', ['key'], unique=False)
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_failure_at'), table_name='login_failure')
    op.drop_index(op.f('ix_login_failure_key'), table_name='login_failure')
    op.drop_table('login_failure')
