"""search removal queue and per-account deleted index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_removals",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("email_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "email_id"),
    )
    op.create_index("ix_emails_account_deleted", "emails", ["account_id", "deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_emails_account_deleted", table_name="emails")
    op.drop_table("search_removals")
