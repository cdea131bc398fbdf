"""Data repair: close all but the newest open interval of a key (left by concurrent snapshots)

Before revision 0006 forbids it, ``drift snapshot`` running beside ``drift run`` could leave a key
with two or three open intervals (``valid_to`` NULL). The newest one is what the source says now;
each older one is closed where the next one opened, and removed if that leaves it empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import itertools

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

item = sa.table(
    "item",
    sa.column("id", sa.Integer),
    sa.column("key_id", sa.Integer),
    sa.column("valid_from", sa.Integer),
    sa.column("valid_to", sa.Integer),
)


def upgrade() -> None:
    conn = op.get_bind()
    is_open = item.c.valid_to.is_(None)
    doubled = (
        sa.select(item.c.key_id).where(is_open).group_by(item.c.key_id).having(sa.func.count() > 1)
    )
    rows = conn.execute(
        sa.select(item.c.key_id, item.c.id, item.c.valid_from)
        .where(is_open, item.c.key_id.in_(doubled.scalar_subquery()))
        .order_by(item.c.key_id, item.c.valid_from, item.c.id)
    ).all()
    for older, newer in itertools.pairwise(rows):
        if older.key_id != newer.key_id:
            continue
        if older.valid_from < newer.valid_from:
            conn.execute(
                sa.update(item).where(item.c.id == older.id).values(valid_to=newer.valid_from)
            )
        else:
            conn.execute(sa.delete(item).where(item.c.id == older.id))


def downgrade() -> None:
    pass  # the repaired intervals are correct history; nothing to undo
