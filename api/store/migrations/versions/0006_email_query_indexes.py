"""Email/query indexes: all mail by receivedAt with the id tie-break

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 18:50:00.000000

Email/query without inMailbox orders by (receivedAt, id); with the id in the index,
"newest 50 of all mail" stops after 50 rows instead of sorting ties in a temp B-tree.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
# 0005 is being written beside this one; the merge puts it in between.
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index("ix_emails_account_received")
        batch_op.create_index(
            "ix_emails_account_received", ["account_id", "received_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index("ix_emails_account_received")
        batch_op.create_index(
            "ix_emails_account_received", ["account_id", "received_at"], unique=False
        )
