"""The database tables (SQLAlchemy 2). Alembic revisions in migrations/ create exactly these.

Items are stored as validity intervals over snapshots (a temporal table), so history grows with
change, not with days:

- ``item_key``: one row per (source, scope, event, name) ever seen; 16-byte hashes carry identity
  and uniqueness on every backend (long names, case-insensitive MariaDB collations).
- ``definition``: content-addressed canonical JSON, shared across days and sources.
- ``item``: (key, definition, valid_from snapshot, valid_to snapshot or NULL while present).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from drift.store.vendor_text import LongText, VendorText

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC on every backend (SQLite and MariaDB keep naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Hash16(TypeDecorator[bytes]):
    """First 16 bytes of a SHA-256: compact, indexable identity (BINARY(16) on MariaDB)."""

    impl = LargeBinary(16)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.BINARY(16))
        return dialect.type_descriptor(LargeBinary(16))


#: utf8mb4 with a binary collation on MariaDB/MySQL: emoji survive and `Email` != `email`.
MYSQL_OPTS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SourceRow(Base):
    __tablename__ = "source"
    __table_args__ = (MYSQL_OPTS,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SnapshotRow(Base):
    __tablename__ = "snapshot"
    __table_args__ = (Index(None, "source_id", "taken_at"), MYSQL_OPTS)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int] = mapped_column(Integer)
    provenance: Mapped[str] = mapped_column(String(16))
    fetch_ms: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Version of the connector that read it (NULL: before readers were versioned, i.e. 1).
    reader_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DefinitionRow(Base):
    __tablename__ = "definition"
    __table_args__ = (MYSQL_OPTS,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[bytes] = mapped_column(Hash16(), unique=True)
    body: Mapped[str] = mapped_column(LongText)


class ItemKeyRow(Base):
    __tablename__ = "item_key"
    __table_args__ = (
        UniqueConstraint("source_id", "key_hash"),
        Index(None, "name_hash"),
        MYSQL_OPTS,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    key_hash: Mapped[bytes] = mapped_column(Hash16())
    name_hash: Mapped[bytes] = mapped_column(Hash16())  # of the property name, or event name
    scope: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(VendorText())
    name: Mapped[str] = mapped_column(VendorText())
    #: The earliest date the vendor said it first saw or created the item (its own clock).
    vendor_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ItemRow(Base):
    __tablename__ = "item"
    __table_args__ = (
        Index(None, "source_id", "valid_to"),
        Index(None, "source_id", "valid_from"),
        Index(None, "key_id"),
        # Deleting a definition looks up the items that point at it (the foreign-key check on
        # SQLite and PostgreSQL, and prune's orphan test); see docs/query-plans.md.
        Index(None, "definition_id"),
        Index("uq_item_open_key", "open_key", unique=True),
        MYSQL_OPTS,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    key_id: Mapped[int] = mapped_column(ForeignKey("item_key.id"))
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    valid_from: Mapped[int] = mapped_column(ForeignKey("snapshot.id"))
    valid_to: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"), nullable=True)
    #: ``key_id`` while open, NULL once closed: its unique index allows one open interval per key.
    open_key: Mapped[int | None] = mapped_column(
        Integer, Computed("CASE WHEN valid_to IS NULL THEN key_id END", persisted=True)
    )


class RunRow(Base):
    __tablename__ = "run"
    __table_args__ = (MYSQL_OPTS,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # running, completed, partial, failed, aborted
    phase: Mapped[str] = mapped_column(String(20))  # last durable phase reached
    trigger: Mapped[str] = mapped_column(String(20))  # cli, schedule, catch-up
    holder: Mapped[str] = mapped_column(String(200))
    fencing_token: Mapped[int] = mapped_column(BigInteger)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class RunSourceRow(Base):
    __tablename__ = "run_source"
    __table_args__ = (UniqueConstraint("run_id", "source_name"), MYSQL_OPTS)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id"))
    source_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # read, unchanged, failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    snapshot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class LeaseRow(Base):
    __tablename__ = "lease"
    __table_args__ = (MYSQL_OPTS,)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    fencing_token: Mapped[int] = mapped_column(BigInteger, default=0)
    acquired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AckRow(Base):
    """Append-only ledger: acknowledgements and their revocations are both records."""

    __tablename__ = "ack"
    __table_args__ = (MYSQL_OPTS,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(10))  # ack | revoke
    revokes: Mapped[int | None] = mapped_column(ForeignKey("ack.id"), nullable=True)
    scope: Mapped[str] = mapped_column(String(20))  # item | property | pattern
    source_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    item_scope: Mapped[str | None] = mapped_column(String(20), nullable=True)
    event: Mapped[str | None] = mapped_column(Text, nullable=True)
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    pattern: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Only findings of this category are acknowledged (NULL: every category).
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DigestRow(Base):
    """A committed digest. Its large parts (the JSON body, each rendering, the findings state and
    the attachments) are in ``digest_part``, in chunks: one row holding them all could exceed
    MariaDB's ``max_allowed_packet``."""

    __tablename__ = "digest"
    __table_args__ = (MYSQL_OPTS,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_key: Mapped[str] = mapped_column(String(64), unique=True)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rules_hash: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text)
    #: The JSON body's ``counts`` as JSON (a few hundred bytes), so that ``drift status`` and the
    #: metrics need not read a body of up to ~20 MB. Written with every digest (revision 0008
    #: filled it for older ones); NULL only from a drift older than 0008 still running after the
    #: upgrade, whose counts are then read from the body (``outbox.newest_digest_counts``).
    #: Nullable also because a NOT NULL column added to existing rows needs a default, which
    #: MySQL refuses for TEXT.
    counts_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class DigestPartRow(Base):
    """One chunk of a digest's large part (see ``drift.store.digest_parts``): ``field`` names the
    part (``body_json``, ``html``, ``text``, ``markdown``, ``slack``, ``findings_json``,
    ``attachments_json``); its chunks in ``seq`` order, joined, are the part. An empty part has no
    chunks."""

    __tablename__ = "digest_part"
    __table_args__ = (MYSQL_OPTS,)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digest.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chunk: Mapped[str] = mapped_column(LongText)


class DigestSourceRow(Base):
    """Which snapshot of each source a digest covered: the next diff's baseline."""

    __tablename__ = "digest_source"
    __table_args__ = (MYSQL_OPTS,)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digest.id"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"))


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index(None, "status"), MYSQL_OPTS)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digest.id"))
    channel: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # pending, sent, partial, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
