"""email submissions and the outbound queue

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("identity_id", sa.String(length=32), nullable=False),
        sa.Column("email_id", sa.String(length=32), nullable=False),
        sa.Column("thread_id", sa.String(length=32), nullable=True),
        sa.Column("send_at", sa.BigInteger(), nullable=False),
        sa.Column("undo_status", sa.String(length=8), nullable=False),
        sa.Column("envelope_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("email_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_email_submissions_account", ["account_id", "send_at"], unique=False
        )
    op.create_table(
        "submission_recipients",
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["email_submissions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("submission_id", "position"),
    )
    op.create_table(
        "outbound_queue",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sender_domain", sa.String(length=253), nullable=False),
        sa.Column("envelope_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("blob_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbound_queue", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_queue_next", ["next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbound_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_queue_next")
    op.drop_table("outbound_queue")
    op.drop_table("submission_recipients")
    with op.batch_alter_table("email_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_email_submissions_account")
    op.drop_table("email_submissions")
