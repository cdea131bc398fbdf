"""Vendor names and definitions without MariaDB's 64 KiB TEXT limit (LONGTEXT)

PostgreSQL and SQLite text is unbounded already; only MariaDB/MySQL columns change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = [("item_key", "event"), ("item_key", "name"), ("definition", "body")]


def _is_mysql() -> bool:
    return op.get_bind().dialect.name in ("mysql", "mariadb")


def upgrade() -> None:
    if not _is_mysql():
        return
    for table, column in COLUMNS:
        op.alter_column(
            table, column, type_=mysql.LONGTEXT(), existing_type=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    if not _is_mysql():
        return
    for table, column in COLUMNS:
        op.alter_column(
            table, column, type_=sa.Text(), existing_type=mysql.LONGTEXT(), existing_nullable=False
        )
