"""outbound_queue.blob_id index: entries of one message share a blob, and finishing one
asks whether any other still uses it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 02:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_queue") as batch:
        batch.create_index("ix_outbound_queue_blob", ["blob_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbound_queue") as batch:
        batch.drop_index("ix_outbound_queue_blob")
