"""emails modseq index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-13 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_emails_account_modseq", "emails", ["account_id", "modseq"])


def downgrade() -> None:
    op.drop_index("ix_emails_account_modseq", table_name="emails")
