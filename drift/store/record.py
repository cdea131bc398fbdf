"""Record a fetched schema as a snapshot: one transaction, one O(n) pass over hashes.

Only items that are new or whose definition changed get a row; items that vanished or changed get
their open interval closed. Recording identical content adds a snapshot row and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from drift.canonical import h16, paused_gc
from drift.model import Fetched, Item, Schema
from drift.store import bulk
from drift.store.identity import key_h16, name_h16
from drift.store.stored_form import stored_text
from drift.store.tables import DefinitionRow, ItemKeyRow, ItemRow, SnapshotRow, SourceRow

CHUNK = 500
T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class Recorded:
    snapshot_id: int
    source_id: int
    item_count: int
    added: int
    removed: int
    changed: int

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def source_row(session: Session, name: str, type_: str, now: dt.datetime) -> SourceRow:
    row = session.scalar(select(SourceRow).where(SourceRow.name == name))
    if row is None:
        row = SourceRow(name=name, type=type_, created_at=now)
        session.add(row)
        session.flush()
    elif row.type != type_:
        row.type = type_
    return row


def record_snapshot(
    session: Session,
    schema: Fetched,
    *,
    source_type: str,
    taken_at: dt.datetime,
    fetch_ms: int = 0,
    run_id: int | None = None,
    reader_version: int = 1,
    on_items: Callable[[int], None] | None = None,
) -> Recorded:
    """Write one snapshot of ``schema`` inside the caller's transaction; ``reader_version`` is
    the version of the connector that read it. ``on_items(n)`` hears of the items once they are
    recorded (a progress display). A ``KnownRead`` is parsed only if it differs from the
    source's last snapshot."""
    with paused_gc():  # per-item tuples over a big schema set off full collections otherwise
        recorded = _record(session, schema, source_type, taken_at, fetch_ms, run_id, reader_version)
    if on_items is not None:
        on_items(recorded.item_count)
    return recorded


def _record(
    session: Session,
    fetched: Fetched,
    source_type: str,
    taken_at: dt.datetime,
    fetch_ms: int,
    run_id: int | None,
    reader_version: int,
) -> Recorded:
    source = source_row(session, fetched.source, source_type, taken_at)
    unchanged = _same_as_last(session, source.id, fetched.content_hash, fetched.item_count)
    schema = fetched if isinstance(fetched, Schema) or unchanged else fetched.parse()
    snapshot = SnapshotRow(
        source_id=source.id,
        taken_at=taken_at,
        content_hash=schema.content_hash,
        item_count=schema.item_count,
        provenance=str(schema.provenance),
        fetch_ms=fetch_ms,
        added=0,
        removed=0,
        changed=0,
        run_id=run_id,
        reader_version=reader_version,
    )
    session.add(snapshot)
    session.flush()
    added = removed = changed = 0
    if isinstance(schema, Schema):  # a known read has no vendor dates (see known_reads)
        if not unchanged:
            added, removed, changed = _record_changes(session, source.id, snapshot.id, schema)
        _keep_vendor_dates(session, source.id, schema.items)
    snapshot.added, snapshot.removed, snapshot.changed = added, removed, changed
    return Recorded(snapshot.id, source.id, schema.item_count, added, removed, changed)


def _same_as_last(session: Session, source_id: int, content_hash: str, item_count: int) -> bool:
    """The schema hashes like the source's last snapshot and the source holds as many open
    items: nothing to compare item by item (the near-floor path for an unchanged source)."""
    last = session.scalar(
        select(SnapshotRow.content_hash)
        .where(SnapshotRow.source_id == source_id)
        .order_by(SnapshotRow.id.desc())
        .limit(1)
    )
    if last != content_hash:
        return False
    present = select(func.count()).where(ItemRow.source_id == source_id, ItemRow.valid_to.is_(None))
    return session.scalar(present) == item_count


def _record_changes(
    session: Session, source_id: int, snapshot_id: int, schema: Schema
) -> tuple[int, int, int]:
    """Open intervals for new and changed items, close them for changed and vanished ones; one
    pass over the key and definition hashes. Returns (added, removed, changed).

    Memory stays near the schema's own: the open rows are let go as they are matched, only the
    items to open are listed, and they are written ``OPEN_CHUNK`` at a time (a first snapshot
    opens every item, straight from the schema)."""
    look_up_keys = _has_keys(session, source_id)
    open_rows = _open_items(session, source_id) if look_up_keys else {}
    if not open_rows:  # nothing present: every item opens, nothing closes
        _open(session, source_id, snapshot_id, schema.items, look_up_keys)
        return len(schema.items), 0, 0
    to_open: list[Item] = []
    to_close: list[int] = []
    added = changed = 0
    for item in schema.items:
        current = open_rows.pop(key_h16(item), None)
        if current is None:
            to_open.append(item)
            added += 1
        elif current[ROW_ID:] != item.definition_digest[:16]:
            to_close.append(int.from_bytes(current[:ROW_ID]))
            to_open.append(item)
            changed += 1
    vanished = [int.from_bytes(current[:ROW_ID]) for current in open_rows.values()]
    del open_rows
    _close(session, [*to_close, *vanished], snapshot_id)
    _open(session, source_id, snapshot_id, to_open, look_up_keys)
    return added, len(vanished), changed


def _keep_vendor_dates(session: Session, source_id: int, items: Iterable[Item]) -> None:
    """Store the earliest first-seen date the vendor gave for each key (its own clock)."""
    dated = {key_h16(i): i.vendor_since for i in items if i.vendor_since is not None}
    if not dated:
        return
    stored = session.execute(
        select(ItemKeyRow.key_hash, ItemKeyRow.id, ItemKeyRow.vendor_since).where(
            ItemKeyRow.source_id == source_id
        )
    )
    updates = [
        {"key_id": key_id, "since": dated[bytes(kh)]}
        for kh, key_id, since in stored
        if bytes(kh) in dated and (since is None or dated[bytes(kh)] < since)
    ]
    if updates:
        statement = (
            update(ItemKeyRow)
            .where(ItemKeyRow.id == bindparam("key_id"))
            .values(vendor_since=bindparam("since"))
        )
        session.connection().execute(statement, updates)


def _has_keys(session: Session, source_id: int) -> bool:
    """Whether the source has any stored key (if not, every key of this snapshot is new)."""
    found = session.scalar(select(ItemKeyRow.id).where(ItemKeyRow.source_id == source_id).limit(1))
    return found is not None


#: An open row's item id takes the first bytes of its value in ``_open_items``.
ROW_ID = 8


def _open_items(session: Session, source_id: int) -> dict[bytes, bytes]:
    """key hash -> item row id (``ROW_ID`` bytes) and definition hash, as one bytes value (a
    third of the memory of a tuple of both), for every item present now; the rows are streamed
    (a server-side cursor on PostgreSQL and MariaDB), never all buffered at once."""
    query = (
        select(ItemKeyRow.key_hash, ItemRow.id, DefinitionRow.hash)
        .select_from(ItemRow)
        .join(ItemKeyRow, ItemKeyRow.id == ItemRow.key_id)
        .join(DefinitionRow, DefinitionRow.id == ItemRow.definition_id)
        .where(ItemRow.source_id == source_id, ItemRow.valid_to.is_(None))
        .execution_options(yield_per=OPEN_CHUNK)
    )
    rows = session.execute(query)
    return {bytes(kh): row_id.to_bytes(ROW_ID) + bytes(dh) for kh, row_id, dh in rows}


def _close(session: Session, row_ids: list[int], snapshot_id: int) -> None:
    for chunk in chunks(sorted(row_ids)):
        session.execute(update(ItemRow).where(ItemRow.id.in_(chunk)).values(valid_to=snapshot_id))


class Opened(NamedTuple):
    """An item that gets a new interval, with its hashes and canonical definition, computed once
    (for ``OPEN_CHUNK`` items at a time)."""

    item: Item
    key_hash: bytes
    definition_hash: bytes
    definition_json: str

    @classmethod
    def of(cls, item: Item) -> Opened:
        body = item.definition_json
        return cls(item, key_h16(item), h16(body), body)


ITEM_COLUMNS = ("source_id", "key_id", "definition_id", "valid_from")
KEY_COLUMNS = ("key_hash", "source_id", "name_hash", "scope", "event", "name")
#: Items opened per round of definition, key and item rows: bounds what recording holds beside
#: the schema, whatever its size.
OPEN_CHUNK = 10_000


def _open(
    session: Session,
    source_id: int,
    snapshot_id: int,
    items: Sequence[Item],
    look_up_keys: bool,
) -> None:
    """Open an interval for each of ``items`` at ``snapshot_id``; ``look_up_keys`` is False when
    the source had no keys before this snapshot, so all of them are stored as new."""
    for chunk in chunks(items, OPEN_CHUNK):
        opened = [Opened.of(item) for item in chunk]
        definition_ids = _definition_ids(session, opened)
        key_ids = _key_ids(session, source_id, opened, look_up_keys)
        rows = [
            (source_id, key_ids[o.key_hash], definition_ids[o.definition_hash], snapshot_id)
            for o in opened
        ]
        del opened, definition_ids, key_ids
        bulk.insert_rows(session, ItemRow.__tablename__, ITEM_COLUMNS, rows)


def _definition_ids(session: Session, opened: list[Opened]) -> dict[bytes, int]:
    """Definitions are shared across sources and days: store the bodies not stored yet."""
    bodies = {o.definition_hash: o.definition_json for o in opened}
    found = bulk.ids_by_hash(session, DefinitionRow, DefinitionRow.hash, bodies)
    rows = [(dh, body) for dh, body in bodies.items() if dh not in found]
    found.update(bulk.add_keyed(session, DefinitionRow.__tablename__, ("hash", "body"), rows))
    return found


def _key_ids(
    session: Session, source_id: int, opened: list[Opened], look_up_keys: bool
) -> dict[bytes, int]:
    """The source's keys of these items, storing the keys never seen on it before."""
    wanted = {o.key_hash: o.item for o in opened}
    found: dict[bytes, int] = {}
    if look_up_keys:
        mine = ItemKeyRow.source_id == source_id
        found = bulk.ids_by_hash(session, ItemKeyRow, ItemKeyRow.key_hash, wanted, mine)
    rows = [_key_row(source_id, kh, item) for kh, item in wanted.items() if kh not in found]
    found.update(bulk.add_keyed(session, ItemKeyRow.__tablename__, KEY_COLUMNS, rows))
    return found


def _key_row(source_id: int, kh: bytes, item: Item) -> tuple[Any, ...]:
    """An ``item_key`` row in stored form (the bulk insert bypasses the column types)."""
    name_hash = name_h16(item.scope, item.event, item.name)
    event, name = stored_text(item.event), stored_text(item.name)
    return (kh, source_id, name_hash, str(item.scope), event, name)
