"""Read the temporal store: snapshots, the state of a source at any snapshot, and references.

The state at snapshot S is the items with ``valid_from <= S`` and (``valid_to`` NULL or ``> S``);
it is answered from the intervals, never by loading stored copies.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from drift.clockface import parse_moment
from drift.errors import ConfigError
from drift.model import Item, ItemKey, Provenance, Schema, Scope
from drift.store import bulk
from drift.store.record import name_h16
from drift.store.tables import DefinitionRow, ItemKeyRow, ItemRow, SnapshotRow, SourceRow


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
    found = session.scalar(select(SourceRow.id).where(SourceRow.name == name))
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
    base = (
        select(SnapshotRow.id).where(SnapshotRow.source_id == sid).order_by(SnapshotRow.id.desc())
    )
    ref = ref.strip()
    if ref in ("latest", "previous"):
        ids = session.scalars(base.limit(2)).all()
        index = 0 if ref == "latest" else 1
        return ids[index] if len(ids) > index else None
    if ref.isdigit():
        found = session.scalar(
            select(SnapshotRow.id).where(SnapshotRow.id == int(ref), SnapshotRow.source_id == sid)
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
    return session.scalar(base.where(SnapshotRow.taken_at <= moment).limit(1))


def state_at(session: Session, snapshot_id: int) -> Schema:
    """The schema of the snapshot's source as it was at that snapshot."""
    info = session.execute(
        select(SnapshotRow.source_id, SnapshotRow.provenance, SourceRow.name)
        .join(SourceRow, SourceRow.id == SnapshotRow.source_id)
        .where(SnapshotRow.id == snapshot_id)
    ).one()
    items = _item_list(session, ItemRow.source_id == info.source_id, present_at(snapshot_id))
    # Keys are unique per source, so sorting by key is all Schema.build would do (only faster).
    items.sort(key=attrgetter("scope", "event", "name"))
    return Schema(info.name, Provenance(info.provenance), tuple(items))


def present_at(snapshot_id: int):  # type: ignore[no-untyped-def]  # a SQL expression
    return and_(
        ItemRow.valid_from <= snapshot_id,
        or_(ItemRow.valid_to.is_(None), ItemRow.valid_to > snapshot_id),
    )


def _items(session: Session, *conditions: Any) -> dict[ItemKey, Item]:
    return {item.key: item for item in _item_list(session, *conditions)}


def _item_list(session: Session, *conditions: Any) -> list[Item]:
    """Items matching ``conditions``; each distinct definition is read and parsed once."""
    query = (
        select(ItemKeyRow.scope, ItemKeyRow.event, ItemKeyRow.name, ItemRow.definition_id)
        .select_from(ItemRow)
        .join(ItemKeyRow, ItemKeyRow.id == ItemRow.key_id)
        .where(*conditions)
    )
    rows = session.execute(query).all()
    wanted = select(DefinitionRow.id, DefinitionRow.body).where(
        DefinitionRow.id.in_(select(ItemRow.definition_id).where(*conditions).distinct())
    )
    bodies = {def_id: body for def_id, body in session.execute(wanted)}
    parsed = dict(zip(bodies, json.loads(f"[{','.join(bodies.values())}]"), strict=True))
    scopes = {str(s): s for s in Scope}
    return [Item(scopes[s], e, n, parsed[def_id]) for s, e, n, def_id in rows]


def touched_between(
    session: Session, source: str, a: int | None, b: int
) -> tuple[dict[ItemKey, Item], dict[ItemKey, Item]]:
    """Items of ``source`` that may differ between snapshots ``a`` and ``b``: (state at a, state
    at b), restricted to keys whose interval opened or closed in between. O(changes), not O(n)."""
    sid = source_id(session, source)
    if a is None:
        return {}, state_at(session, b).by_key()
    if a > b:
        after, before = touched_between(session, source, b, a)
        return before, after
    before = _items(
        session,
        ItemRow.source_id == sid,
        ItemRow.valid_from <= a,
        ItemRow.valid_to > a,
        ItemRow.valid_to <= b,
    )
    after = _items(
        session,
        ItemRow.source_id == sid,
        ItemRow.valid_from > a,
        ItemRow.valid_from <= b,
        or_(ItemRow.valid_to.is_(None), ItemRow.valid_to > b),
    )
    return before, after


def names_seen_by(
    session: Session, source: str, names: Iterable[str], snapshot_id: int | None
) -> set[str]:
    """Which of these property names the source had held at any time up to ``snapshot_id``:
    one query, over a short ``IN`` list of name hashes or a temporary table of them."""
    if snapshot_id is None:
        return set()
    sid = source_id(session, source)
    wanted = {name_h16(Scope.EVENT_PROPERTY, "", n): n for n in names}
    if not wanted:
        return set()
    query = (
        select(ItemKeyRow.name)
        .select_from(ItemKeyRow)
        .join(ItemRow, ItemRow.key_id == ItemKeyRow.id)
        .where(
            # ``+ 0``: the name hashes must drive the query (a few index look-ups), not the
            # source, whose (source_id, key_hash) index SQLite would otherwise scan whole.
            ItemKeyRow.source_id + 0 == sid,
            ItemKeyRow.scope != str(Scope.EVENT),
            ItemRow.valid_from <= snapshot_id,
        )
        .distinct()
    )
    if len(wanted) <= bulk.IN_LIST:
        query = query.where(ItemKeyRow.name_hash.in_(list(wanted)))
    else:
        hashes = bulk.load_hashes(session, wanted)
        query = query.join(hashes, hashes.c.h == ItemKeyRow.name_hash)
    return set(session.scalars(query))
