"""draft approvals: four eyes before a process owner's draft is deployed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'draft_approval',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=100), nullable=False),
        sa.Column('author_id', sa.String(length=100), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approved_by', sa.String(length=100), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'author_id', name='uq_draft_approval_kind_author'),
    )
    op.create_index(op.f('ix_draft_approval_author_id'), 'draft_approval', ['author_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_draft_approval_author_id'), table_name='draft_approval')
    op.drop_table('draft_approval')
