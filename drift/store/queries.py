"""Read the temporal store: snapshots, the state of a source at any snapshot, and references.

The state at snapshot S is the items with ``valid_from <= S`` and (``valid_to`` NULL or ``> S``);
it is answered from the intervals, never by loading stored copies. The interval reads themselves
are SQL text in :mod:`drift.store.intervals`, shared with ``drift diff``'s driver-only reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import Integer, String, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from drift.clockface import parse_moment
from drift.errors import ConfigError
from drift.model import Item, ItemKey, Provenance, Schema, Scope
from drift.store import bulk, intervals
from drift.store.identity import name_h16
from drift.store.intervals import Where
from drift.store.tables import ItemKeyRow, ItemRow, SnapshotRow, SourceRow
from drift.store.vendor_text import VendorText

#: The columns of ``intervals.item_rows``, typed so that names kept in their escaped stored form
#: are read back as the vendor sent them.
_ITEM_COLUMNS: dict[str, TypeEngine[Any]] = {
    "scope": String(),
    "event": VendorText(),
    "name": VendorText(),
    "definition_id": Integer(),
}


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    source: str
    taken_at: dt.datetime
    content_hash: str
    item_count: int
    provenance: str
    added: int
    removed: int
    changed: int
    fetch_ms: int
    reader_version: int = 1  # version of the connector that read it (1 before versioning)


def source_id(session: Session, name: str) -> int:
    found: int | None = session.scalar(text(intervals.SOURCE_ID), {"name": name})
    if found is None:
        from drift.config import did_you_mean

        recorded = sorted(session.scalars(select(SourceRow.name)))
        raise ConfigError(
            f"no such source {name!r}{did_you_mean(name, recorded)}: recorded sources are "
            f"{', '.join(map(repr, recorded)) or 'none yet'} (a configured source has no "
            "snapshots until `drift snapshot` or `drift run` reads it)"
        )
    return found


def source_names(session: Session) -> list[str]:
    """Every source drift has recorded, by name."""
    return list(session.scalars(select(SourceRow.name).order_by(SourceRow.name)))


def snapshots(
    session: Session, source: str | None = None, limit: int | None = None
) -> list[SnapshotInfo]:
    query = (
        select(SnapshotRow, SourceRow.name)
        .join(SourceRow, SourceRow.id == SnapshotRow.source_id)
        .order_by(SnapshotRow.id.desc())
    )
    if source:
        query = query.where(SnapshotRow.source_id == source_id(session, source))
    if limit:
        query = query.limit(limit)
    return [_info(row, name) for row, name in session.execute(query)]


def snapshot_info(session: Session, snapshot_id: int) -> SnapshotInfo:
    row = session.execute(
        select(SnapshotRow, SourceRow.name)
        .join(SourceRow, SourceRow.id == SnapshotRow.source_id)
        .where(SnapshotRow.id == snapshot_id)
    ).first()
    if row is None:
        raise ConfigError(f"no snapshot with id {snapshot_id}; see `drift history`")
    return _info(*row)


def _info(row: SnapshotRow, name: str) -> SnapshotInfo:
    return SnapshotInfo(
        row.id,
        name,
        row.taken_at,
        row.content_hash,
        row.item_count,
        row.provenance,
        row.added,
        row.removed,
        row.changed,
        row.fetch_ms,
        row.reader_version or 1,
    )


def resolve_ref(session: Session, source: str, ref: str, tz: dt.tzinfo = dt.UTC) -> int | None:
    """A snapshot id, ``latest``, ``previous``, or a date/datetime (the last snapshot on or before
    it; a bare date means the end of that day in ``tz``). None when nothing was recorded by then."""
    sid = source_id(session, source)
    ref = ref.strip()
    if ref in intervals.NAMED_REFS:
        ids: Sequence[int] = session.scalars(text(intervals.NEWEST), {"sid": sid}).all()
        index = intervals.NAMED_REFS[ref]
        return ids[index] if len(ids) > index else None
    number = intervals.snapshot_number(ref)
    if number is not None:
        found: int | None = session.scalar(
            text(intervals.SNAPSHOT_OF_SOURCE), {"id": number, "sid": sid}
        )
        if found is None:
            raise ConfigError(
                f"snapshot {ref} is not a snapshot of {source!r}; see `drift history`"
            )
        return found
    try:
        moment = parse_moment(ref, tz, end_of_day=True)
    except ConfigError:
        raise ConfigError(
            f"{ref!r} is not a snapshot id, 'latest', 'previous', a date (2026-11-27) or an ISO "
            "datetime (2026-11-27T09:00:00+01:00)"
        ) from None
    by_then = (
        select(SnapshotRow.id)
        .where(SnapshotRow.source_id == sid, SnapshotRow.taken_at <= moment)
        .order_by(SnapshotRow.id.desc())
        .limit(1)
    )
    return session.scalar(by_then)


def state_at(session: Session, snapshot_id: int) -> Schema:
    """The schema of the snapshot's source as it was at that snapshot."""
    info = session.execute(
        select(SnapshotRow.source_id, SnapshotRow.provenance, SourceRow.name)
        .join(SourceRow, SourceRow.id == SnapshotRow.source_id)
        .where(SnapshotRow.id == snapshot_id)
    ).one()
    items = _item_list(session, intervals.present_at(info.source_id, snapshot_id))
    # Keys are unique per source, so sorting by key is all Schema.build would do (only faster).
    items.sort(key=attrgetter("scope", "event", "name"))
    return Schema(info.name, Provenance(info.provenance), tuple(items))


def _items(session: Session, where: Where) -> dict[ItemKey, Item]:
    return {item.key: item for item in _item_list(session, where)}


def _item_list(session: Session, where: Where) -> list[Item]:
    """Items matching ``where``; each distinct definition is read and parsed once."""
    condition, params = where
    rows = session.execute(
        text(intervals.item_rows(condition)).columns(**_ITEM_COLUMNS), params
    ).all()
    wanted = text(intervals.definition_rows(condition))
    bodies: dict[int, str] = {d: body for d, body in session.execute(wanted, params)}
    return intervals.items_of(rows, bodies)


def touched_between(
    session: Session, source: str, a: int | None, b: int
) -> tuple[dict[ItemKey, Item], dict[ItemKey, Item]]:
    """Items of ``source`` that may differ between snapshots ``a`` and ``b``: (state at a, state
    at b), restricted to keys whose interval opened or closed in between. O(changes), not O(n)."""
    sid = source_id(session, source)
    if a is None:
        return {}, state_at(session, b).by_key()
    before, after = intervals.touched(sid, a, b)
    return _items(session, before), _items(session, after)


def names_seen_by(
    session: Session, source: str, names: Iterable[str], snapshot_id: int | None
) -> set[str]:
    """Which of these property names the source had held at any time up to ``snapshot_id``:
    one query, over a short ``IN`` list of name hashes or a temporary table of them."""
    if snapshot_id is None:
        return set()
    sid = source_id(session, source)
    wanted = sorted({name_h16(Scope.EVENT_PROPERTY, "", n) for n in names})
    if not wanted:
        return set()
    if len(wanted) <= bulk.IN_LIST:
        statement, params = intervals.names_seen(sid, snapshot_id, wanted)
        return set(session.scalars(text(statement).columns(name=VendorText()), params))
    hashes = bulk.load_hashes(session, wanted)
    query = (
        select(ItemKeyRow.name)
        .join(ItemRow, ItemRow.key_id == ItemKeyRow.id)
        .join(hashes, hashes.c.h == ItemKeyRow.name_hash)
        .where(text(intervals.NAMES_SEEN_WHERE))
        .distinct()
    )
    return set(session.scalars(query, intervals.names_seen_params(sid, snapshot_id)))
