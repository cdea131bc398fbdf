"""Retention: drop history older than a cutoff without breaking the history that is kept.

What goes: item intervals that closed before the cutoff, snapshots nothing refers to any more, run
records (and their per-source rows), delivered digests with their outbox rows and stored parts,
and definitions and item keys left unreferenced. What stays, and why:

- every snapshot taken at or after the cutoff, and every snapshot from the one a source's last
  digest covered onwards (changes not yet reported), so ``state_at`` answers exactly as before
  for the kept period and the next digest still sees every change;
- an older snapshot that a kept interval starts or ends at (item rows are never re-pointed, so a
  property present since before the cutoff keeps its true first-seen date);
- the earliest interval of every item key and property name that is still in the kept history,
  for the same reason (an item that changed before the cutoff keeps its first-seen date);
- the newest digest covering each source (the next diff's baseline), the newest digest, every
  digest with a delivery not yet sent, and the newest run (catch-up and ``drift status`` read it).

Older snapshots kept only as interval ends answer ``state_at`` for the surviving items only.
Everything happens in one transaction, so ``--dry-run`` is the same work rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from drift.model import DeliveryStatus, RunStatus
from drift.store import bulk
from drift.store.record import chunks
from drift.store.tables import (
    DefinitionRow,
    DigestPartRow,
    DigestRow,
    DigestSourceRow,
    ItemKeyRow,
    ItemRow,
    OutboxRow,
    RunRow,
    RunSourceRow,
    SnapshotRow,
)


@dataclass(frozen=True)
class PruneCounts:
    """How many rows of each kind were (or, in a dry run, would be) removed."""

    snapshots: int = 0
    items: int = 0
    item_keys: int = 0
    definitions: int = 0
    runs: int = 0
    run_sources: int = 0
    digests: int = 0
    outbox: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def prune(session: Session, cutoff: dt.datetime) -> PruneCounts:
    """Remove history older than ``cutoff`` inside the caller's transaction; see module doc."""
    digests, outbox = _prune_digests(session, cutoff)
    old = _old_snapshots(session, cutoff)
    items = _prune_items(session, old)
    snapshots = _prune_snapshots(session, old)
    runs, run_sources = _prune_runs(session, cutoff)
    return PruneCounts(
        snapshots=snapshots,
        items=items,
        item_keys=_prune_orphans(session, ItemKeyRow, ItemRow.key_id),
        definitions=_prune_orphans(session, DefinitionRow, ItemRow.definition_id),
        runs=runs,
        run_sources=run_sources,
        digests=digests,
        outbox=outbox,
    )


def _delete_ids(session: Session, column: Any, ids: Iterable[int]) -> int:
    """Delete by id in chunks (MariaDB cannot delete from a table its own subquery reads)."""
    removed = 0
    for chunk in chunks(sorted(set(ids))):
        result = session.execute(
            delete(column.table)
            .where(column.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def _prune_digests(session: Session, cutoff: dt.datetime) -> tuple[int, int]:
    """Delivered digests older than the cutoff, except each source's baseline and the newest."""
    keep = set(
        session.scalars(
            select(func.max(DigestSourceRow.digest_id)).group_by(DigestSourceRow.source_id)
        )
    )
    keep.update(session.scalars(select(func.max(DigestRow.id))))
    keep.update(
        session.scalars(
            select(OutboxRow.digest_id).where(OutboxRow.status != DeliveryStatus.SENT.value)
        )
    )
    old = set(session.scalars(select(DigestRow.id).where(DigestRow.created_at < cutoff)))
    doomed = old - keep
    outbox = _delete_ids(session, OutboxRow.digest_id, doomed)
    _delete_ids(session, DigestSourceRow.digest_id, doomed)
    _delete_ids(session, DigestPartRow.digest_id, doomed)
    return _delete_ids(session, DigestRow.id, doomed), outbox


def _old_snapshots(session: Session, cutoff: dt.datetime) -> set[int]:
    """Snapshots before the cutoff that may go: only those before the snapshot the source's last
    digest covered, so a change no digest has reported yet is never pruned away."""
    covered = dict(
        session.execute(
            select(DigestSourceRow.source_id, func.max(DigestSourceRow.snapshot_id)).group_by(
                DigestSourceRow.source_id
            )
        ).all()
    )
    old = session.execute(
        select(SnapshotRow.id, SnapshotRow.source_id).where(SnapshotRow.taken_at < cutoff)
    )
    return {sid for sid, source in old if source in covered and sid < covered[source]}


def _prune_items(session: Session, old: set[int]) -> int:
    """Intervals that closed at an old snapshot, except the first interval of a kept item/name."""
    closed = select(ItemRow.id, ItemRow.key_id, ItemRow.source_id, ItemKeyRow.name_hash).join(
        ItemKeyRow, ItemKeyRow.id == ItemRow.key_id
    )
    doomed: dict[int, tuple[int, tuple[int, bytes]]] = {}
    for chunk in chunks(sorted(old)):
        for row_id, key_id, source_id, name_hash in session.execute(
            closed.where(ItemRow.valid_to.in_(chunk))
        ):
            doomed[row_id] = (key_id, (source_id, bytes(name_hash)))
    for row_id in _first_intervals_still_needed(session, doomed):
        doomed.pop(row_id, None)
    return _delete_ids(session, ItemRow.id, doomed)


def _first_intervals_still_needed(
    session: Session, doomed: dict[int, tuple[int, tuple[int, bytes]]]
) -> set[int]:
    """For each item key and each (source, name) with a surviving interval, its earliest row."""
    names = {name for _, name in doomed.values()}
    if not names:
        return set()
    keys = {key for key, _ in doomed.values()}
    query = select(
        ItemRow.id, ItemRow.valid_from, ItemRow.key_id, ItemRow.source_id, ItemKeyRow.name_hash
    ).join(ItemKeyRow, ItemKeyRow.id == ItemRow.key_id)
    groups: dict[object, list[tuple[int, int]]] = {}
    wanted = bulk.load_hashes(session, {h for _, h in names})  # one join, not chunked IN lists
    for row_id, valid_from, key_id, source_id, name_hash in session.execute(
        query.join(wanted, wanted.c.h == ItemKeyRow.name_hash)
    ):
        name = (source_id, bytes(name_hash))
        if key_id in keys:
            groups.setdefault(("key", key_id), []).append((valid_from, row_id))
        if name in names:
            groups.setdefault(("name", name), []).append((valid_from, row_id))
    needed: set[int] = set()
    for rows in groups.values():
        if any(row_id not in doomed for _, row_id in rows):
            needed.add(min(rows)[1])
    return needed


def _prune_snapshots(session: Session, old: set[int]) -> int:
    """Old snapshots no interval starts or ends at and no kept digest covers."""
    referenced: set[int] = set()
    for chunk in chunks(sorted(old)):
        for column in (ItemRow.valid_from, ItemRow.valid_to, DigestSourceRow.snapshot_id):
            referenced.update(session.scalars(select(column).where(column.in_(chunk)).distinct()))
    return _delete_ids(session, SnapshotRow.id, old - referenced)


def _prune_runs(session: Session, cutoff: dt.datetime) -> tuple[int, int]:
    """Finished runs started before the cutoff, keeping the newest run."""
    newest = session.scalar(select(func.max(RunRow.id)))
    doomed = set(
        session.scalars(
            select(RunRow.id).where(
                RunRow.started_at < cutoff,
                RunRow.status != RunStatus.RUNNING.value,
                RunRow.id != newest,
            )
        )
    )
    run_sources = _delete_ids(session, RunSourceRow.run_id, doomed)
    return _delete_ids(session, RunRow.id, doomed), run_sources


def _prune_orphans(session: Session, table: Any, reference: Any) -> int:
    """Rows of ``table`` that no item row points at any more, in one anti-join statement.

    PostgreSQL plans ``NOT EXISTS`` as a hash anti-join. SQLite and MariaDB run an uncorrelated
    ``NOT IN`` through the index on the reference (``ix_item_key_id``, ``ix_item_definition_id``);
    a correlated ``NOT EXISTS`` once scanned the item table per row for ``definition_id``, which
    had no index before revision 0008 (110 s at 125k items on SQLite). Each deleted row is also
    checked against ``item`` by its foreign key, through the same index."""
    if session.get_bind().dialect.name == "postgresql":
        orphan = ~exists().where(reference == table.id)
    else:
        orphan = table.id.not_in(select(reference))
    result = session.execute(
        delete(table).where(orphan).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
