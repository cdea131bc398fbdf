"""The database forbids two open intervals for one key, on every backend

``item.open_key`` is a generated column, ``key_id`` while the interval is open (``valid_to`` NULL)
and NULL once closed; a unique index on it lets any number of closed intervals share a key but
only one open one. A generated column (not a partial index) because MariaDB has no partial
indexes: one mechanism, the same on SQLite, PostgreSQL and MariaDB.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN_KEY = "CASE WHEN valid_to IS NULL THEN key_id END"


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "open_key", sa.Integer(), sa.Computed(OPEN_KEY, persisted=True), nullable=True
            )
        )
        batch_op.create_index("uq_item_open_key", ["open_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index("uq_item_open_key")
        batch_op.drop_column("open_key")
