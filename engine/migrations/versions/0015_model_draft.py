"""model drafts: a process owner's unfinished edit of a diagram in the browser

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'model_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=100), nullable=False),
        sa.Column('person_id', sa.String(length=100), nullable=False),
        sa.Column('xml', sa.Text(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('base_hash', sa.String(length=64), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'person_id', name='uq_model_draft_kind_person'),
    )
    op.create_index(op.f('ix_model_draft_person_id'), 'model_draft', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_model_draft_person_id'), table_name='model_draft')
    op.drop_table('model_draft')
