"""email_submissions.claimed_until and submission_recipients.stage: resume and status
writes that cannot race

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_submissions") as batch:
        batch.add_column(
            sa.Column("claimed_until", sa.BigInteger(), nullable=False, server_default="0")
        )
    # Existing statuses count as queued: the queue may still finish them.
    with op.batch_alter_table("submission_recipients") as batch:
        batch.add_column(sa.Column("stage", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("submission_recipients") as batch:
        batch.drop_column("stage")
    with op.batch_alter_table("email_submissions") as batch:
        batch.drop_column("claimed_until")
