"""outbox case: which case a mail is about, so a retention purge removes it with the case

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:00:00
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_TASK_LINK = re.compile(r"/tasks/([0-9a-f-]{36})")
_CASE_LINK = re.compile(r"/cases/(\d+)")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_case_id'), ['case_id'], unique=False)
    # Mail written before this knew its case only by the link in its body: read it from there.
    connection = op.get_bind()
    tasks = dict(connection.execute(sa.text("SELECT id, case_id FROM task")).all())
    for mail_id, body in connection.execute(sa.text("SELECT id, body FROM outbox")).all():
        task, case = _TASK_LINK.search(body or ""), _CASE_LINK.search(body or "")
        case_id = tasks.get(task.group(1)) if task else (int(case.group(1)) if case else None)
        if case_id is not None:
            connection.execute(sa.text("UPDATE outbox SET case_id = :case WHERE id = :id"),
                               {"case": case_id, "id": mail_id})


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_case_id'))
        batch_op.drop_column('case_id')
