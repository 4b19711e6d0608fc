"""outbound delay warning

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-13 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_queue") as batch:
        batch.add_column(
            sa.Column("delay_warned", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_queue") as batch:
        batch.drop_column("delay_warned")
