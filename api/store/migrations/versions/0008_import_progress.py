"""import progress

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_progress",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("source_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("position_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "source_key"),
    )


def downgrade() -> None:
    op.drop_table("import_progress")
