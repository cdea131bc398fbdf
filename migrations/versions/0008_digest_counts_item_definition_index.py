"""Each digest keeps its counts in a column; ``item.definition_id`` gets an index

``drift status`` and the metrics show the newest digest's ``counts`` (new findings by severity,
policy violations). They were read from its JSON body, up to ~20 MB in ``digest_part`` chunks, on
every call (every Prometheus scrape). ``digest.counts_json`` holds them now, written with the
digest; upgrade fills it for existing digests from their bodies, one digest at a time (a body
without counts, or one that cannot be parsed at all, gets ``{}``: counts unknown). The backfill is
in this revision, not one of its own, because the column is useless without it and both are small.

Upgrade can run again over a database where it stopped half-way. MariaDB and MySQL commit each
``ALTER TABLE`` / ``CREATE INDEX`` at once, so a failure or interruption after ``add_column``
leaves the column (and maybe the index, and some counts) in place with ``alembic_version`` still
at 0007; SQLite and PostgreSQL roll all of it back. So the column and the index are added only
when the inspector does not find them, and only digests whose counts are still NULL are filled.

``ix_item_definition_id``: deleting definitions (``drift prune``) looked up the items pointing at
each one (the foreign-key check on SQLite and PostgreSQL, and the orphan test) with no index, a
scan of ``item`` per definition. MariaDB already had an index there, the one InnoDB creates for
the foreign key; it drops that one by itself once this index can serve the key, so MariaDB still
has one index on the column. Figures in docs/query-plans.md.

Downgrade drops both. On MariaDB/MySQL the foreign key cannot lose its only index, so it is dropped
with the index and added again, and InnoDB makes its own index for it as it did before 0008 (an
index created by name instead would not be dropped by a later upgrade: two indexes).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEX = "ix_item_definition_id"
FOREIGN_KEY = "fk_item_definition_id_definition"

digest = sa.table("digest", sa.column("id", sa.Integer), sa.column("counts_json", sa.Text))
digest_part = sa.table(
    "digest_part",
    sa.column("digest_id", sa.Integer),
    sa.column("field", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("chunk", sa.Text),
)


def upgrade() -> None:
    """Safe to run again over a database where it stopped half-way (see the module doc)."""
    conn = op.get_bind()
    if "counts_json" not in {c["name"] for c in sa.inspect(conn).get_columns("digest")}:
        op.add_column("digest", sa.Column("counts_json", sa.Text(), nullable=True))
    unfilled = sa.select(digest.c.id).where(digest.c.counts_json.is_(None)).order_by(digest.c.id)
    for digest_id in conn.scalars(unfilled).all():
        counts = json.dumps(_counts(_body(conn, digest_id)), sort_keys=True)
        conn.execute(sa.update(digest).where(digest.c.id == digest_id).values(counts_json=counts))
    if INDEX not in {i["name"] for i in sa.inspect(conn).get_indexes("item")}:
        op.create_index(INDEX, "item", ["definition_id"], unique=False)


def _body(conn: sa.Connection, digest_id: int) -> str:
    """One digest's JSON body, joined from its chunks."""
    chunks = conn.scalars(
        sa.select(digest_part.c.chunk)
        .where(digest_part.c.digest_id == digest_id, digest_part.c.field == "body_json")
        .order_by(digest_part.c.seq)
    )
    return "".join(chunks)


def _counts(body: str) -> dict[str, int]:
    """The body's ``counts``, or ``{}`` (counts unknown; status shows none) for a body without
    them or that cannot be read at all. Any exception means unknown, not only a ValueError: a
    corrupt body nested 200,000 deep raises RecursionError, and one unreadable digest must not
    stop the upgrade (on MariaDB it would leave the column added and the version at 0007)."""
    try:
        parsed = json.loads(body) if body else None
        found = parsed.get("counts") if isinstance(parsed, dict) else None
    except Exception:  # see the docstring: any failure on one body is "counts unknown"
        return {}
    return found if isinstance(found, dict) else {}


def downgrade() -> None:
    innodb = op.get_bind().dialect.name in ("mysql", "mariadb")
    if innodb:
        op.drop_constraint(FOREIGN_KEY, "item", type_="foreignkey")
    op.drop_index(INDEX, table_name="item")
    if innodb:
        op.create_foreign_key(FOREIGN_KEY, "item", "definition", ["definition_id"], ["id"])
    op.drop_column("digest", "counts_json")
