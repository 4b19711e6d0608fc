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
    op.add_column(
        "mailboxes",
        sa.Column("expunged_modseq", sa.BigInteger(), nullable=False, server_default="0"),
    )
    # Existing mailboxes may have lost messages at any change so far: take the account's
    # newest position, so a client that kept a HIGHESTMODSEQ from before is told of
    # every gap once rather than of none.
    op.execute(
        "UPDATE mailboxes SET expunged_modseq = COALESCE((SELECT account_counters.modseq "
        "FROM account_counters WHERE account_counters.account_id = mailboxes.account_id), 0)"
    )


def downgrade() -> None:
    op.drop_column("mailboxes", "expunged_modseq")
