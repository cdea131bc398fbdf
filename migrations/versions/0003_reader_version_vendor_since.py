"""snapshot.reader_version and item_key.vendor_since

A snapshot records the version of the connector that read it, so a more complete reader is told
apart from drift in the vendor; an item key keeps the earliest date the vendor says it first saw
or created the item.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from drift.store import tables as dt_types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reader_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("item_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vendor_since", dt_types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("item_key", schema=None) as batch_op:
        batch_op.drop_column("vendor_since")
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_column("reader_version")
