"""mailboxes.expunged_modseq: the last MODSEQ at which a message left (IMAP QRESYNC)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0 on existing mailboxes: a QRESYNC client's modseq is then never below it, so
    # expunges from before this column existed are not reported (they predate QRESYNC).
    op.add_column(
        "mailboxes",
        sa.Column("expunged_modseq", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("mailboxes", "expunged_modseq")
