"""ack.category: an acknowledgement may cover only one finding category of what it names

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ack", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ack", schema=None) as batch_op:
        batch_op.drop_column("category")
