"""A digest's large parts move into ``digest_part``, in chunks no database packet refuses

MariaDB refuses a statement or row over ``@@max_allowed_packet`` (16 MiB by default), and a large
first digest (a 20 MB JSON body plus renderings, findings and attachments) written as one row
failed with "(2006) MySQL server has gone away". Upgrade copies each existing digest's big
columns into ``digest_part`` chunks of at most 1 MiB of UTF-8 (the form ``drift.store.
digest_parts`` writes) and drops the columns, so there is one storage form to read. Downgrade
joins the chunks back into the columns; on MariaDB/MySQL it first refuses, before changing
anything, if a digest is too large for one row on this server.

The columns are dropped and added in place (``ALTER TABLE``), not by rebuilding the table as
Alembic's batch mode does on SQLite: outbox and digest_source rows point at ``digest``, and SQLite
cannot drop a table that foreign keys point at inside the migration's transaction. This needs
SQLite 3.35 or newer (2021) for ``DROP COLUMN``; for the same reason a downgrade on SQLite leaves
the restored columns nullable (drift before 0007 always fills them).

The chunking is repeated here rather than imported, so this revision keeps doing what it did
whatever later code does.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHUNK_BYTES = 1 << 20
FIELDS = ("body_json", "html", "text", "markdown", "slack", "findings_json", "attachments_json")
NULLABLE = {"attachments_json"}
LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

digest = sa.table("digest", sa.column("id", sa.Integer), *(sa.column(f, sa.Text) for f in FIELDS))
digest_part = sa.table(
    "digest_part",
    sa.column("digest_id", sa.Integer),
    sa.column("field", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("chunk", sa.Text),
)


def _utf8_chunks(text: str) -> Iterator[str]:
    data = text.encode()
    start = 0
    while start < len(data):
        end = min(start + CHUNK_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        yield data[start:end].decode()
        start = end


def upgrade() -> None:
    op.create_table(
        "digest_part",
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chunk", LONG_TEXT, nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"], ["digest.id"], name=op.f("fk_digest_part_digest_id_digest")
        ),
        sa.PrimaryKeyConstraint("digest_id", "field", "seq", name=op.f("pk_digest_part")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    conn = op.get_bind()
    for digest_id in conn.scalars(sa.select(digest.c.id).order_by(digest.c.id)).all():
        row = conn.execute(sa.select(digest).where(digest.c.id == digest_id)).one()
        for field in FIELDS:
            for seq, chunk in enumerate(_utf8_chunks(getattr(row, field) or "")):
                values = {"digest_id": digest_id, "field": field, "seq": seq, "chunk": chunk}
                conn.execute(sa.insert(digest_part).values(values))
    for field in FIELDS:  # in place, also on SQLite (3.35+): see the module doc
        op.drop_column("digest", field)


def downgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if conn.dialect.name in ("mysql", "mariadb"):
        _refuse_digests_too_large_for_one_row()
    for field in FIELDS:
        op.add_column("digest", sa.Column(field, LONG_TEXT, nullable=True))
    for digest_id in conn.scalars(sa.select(digest.c.id).order_by(digest.c.id)).all():
        chunks: dict[str, list[str]] = {field: [] for field in FIELDS}
        for field, chunk in conn.execute(
            sa.select(digest_part.c.field, digest_part.c.chunk)
            .where(digest_part.c.digest_id == digest_id)
            .order_by(digest_part.c.field, digest_part.c.seq)
        ):
            chunks[field].append(chunk)
        values: dict[str, str | None] = {f: "".join(pieces) for f, pieces in chunks.items()}
        values["attachments_json"] = values["attachments_json"] or None
        conn.execute(sa.update(digest).where(digest.c.id == digest_id).values(values))
    for field in FIELDS:
        if field not in NULLABLE and not sqlite:  # SQLite: see the module doc
            op.alter_column("digest", field, existing_type=LONG_TEXT, nullable=False)
    op.drop_table("digest_part")


def _refuse_digests_too_large_for_one_row() -> None:
    """The old schema writes and reads a digest as one row: stop before changing anything if one
    would not fit this server's packet (the driver may double quotes and backslashes)."""
    conn = op.get_bind()
    packet = int(conn.scalar(sa.text("SELECT @@max_allowed_packet")) or 0)
    sizes = sa.func.sum(sa.func.length(digest_part.c.chunk))
    too_large = conn.scalars(
        sa.select(digest_part.c.digest_id)
        .group_by(digest_part.c.digest_id)
        .having(sizes * 2 > packet)
        .order_by(digest_part.c.digest_id)
    ).all()
    if too_large:
        raise RuntimeError(
            f"digest(s) {', '.join(map(str, too_large))} are too large for one row on this server "
            f"(max_allowed_packet {packet:,} bytes); delete them (or raise "
            "max_allowed_packet) before downgrading below revision 0007"
        )
