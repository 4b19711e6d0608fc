"""emails, mailbox memberships and thread keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_counters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mail_octets", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quota_octets", sa.BigInteger(), nullable=True))
    op.create_table(
        "emails",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("blob_id", sa.String(length=32), nullable=False),
        sa.Column("thread_id", sa.String(length=32), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("custom_keywords", sa.Text(), nullable=False),
        sa.Column("summary_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("modseq", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.BigInteger(), nullable=True),
        sa.Column("deleted_from", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emails_blob_id"), ["blob_id"], unique=False)
        batch_op.create_index(
            "ix_emails_account_received", ["account_id", "received_at"], unique=False
        )
        batch_op.create_index("ix_emails_account_thread", ["account_id", "thread_id"], unique=False)
        batch_op.create_index("ix_emails_account_pending", ["account_id", "pending"], unique=False)
        batch_op.create_index("ix_emails_deleted_at", ["deleted_at"], unique=False)

    op.create_table(
        "email_mailboxes",
        sa.Column("mailbox_id", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("email_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["email_id"], ["emails.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mailbox_id"], ["mailboxes.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("mailbox_id", "uid"),
    )
    with op.batch_alter_table("email_mailboxes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_mailboxes_email_id"), ["email_id"], unique=False)
        batch_op.create_index(
            "ix_email_mailboxes_received", ["mailbox_id", "received_at", "email_id"], unique=False
        )
        batch_op.create_index("ix_email_mailboxes_member", ["mailbox_id", "email_id"], unique=True)

    op.create_table(
        "thread_keys",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("thread_id", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("thread_keys")
    with op.batch_alter_table("email_mailboxes", schema=None) as batch_op:
        batch_op.drop_index("ix_email_mailboxes_member")
        batch_op.drop_index("ix_email_mailboxes_received")
        batch_op.drop_index(batch_op.f("ix_email_mailboxes_email_id"))
    op.drop_table("email_mailboxes")
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index("ix_emails_deleted_at")
        batch_op.drop_index("ix_emails_account_pending")
        batch_op.drop_index("ix_emails_account_thread")
        batch_op.drop_index("ix_emails_account_received")
        batch_op.drop_index(batch_op.f("ix_emails_blob_id"))
    op.drop_table("emails")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("quota_octets")
    with op.batch_alter_table("account_counters", schema=None) as batch_op:
        batch_op.drop_column("mail_octets")
