"""domains.dmarc_policy: per hosted domain, enforce or only report DMARC failures

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: the domain follows the server's dmarc_enforce_reject setting, as before.
    with op.batch_alter_table("domains") as batch:
        batch.add_column(sa.Column("dmarc_policy", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("domains") as batch:
        batch.drop_column("dmarc_policy")
