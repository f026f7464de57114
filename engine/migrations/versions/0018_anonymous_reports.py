"""anonymous reports: the installation's salt, each report's keys and its encrypted dialogue

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'anonymous_installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('salt', sa.LargeBinary(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'anonymous_report',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('lookup', sa.String(length=64), nullable=False),
        sa.Column('sealed_key', sa.LargeBinary(length=200), nullable=False),
        sa.Column('handler_key_id', sa.String(length=32), nullable=False),
        sa.Column('writer_key', sa.LargeBinary(length=200), nullable=False),
        sa.Column('consent_named', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id'),
        sa.UniqueConstraint('lookup'),
    )
    op.create_table(
        'anonymous_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('author', sa.String(length=20), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_anonymous_message_case_id'), 'anonymous_message', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_anonymous_message_case_id'), table_name='anonymous_message')
    op.drop_table('anonymous_message')
    op.drop_table('anonymous_report')
    op.drop_table('anonymous_installation')
