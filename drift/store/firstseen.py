"""First-seen dates of property names, from the validity intervals.

The first time a source held a property name is the earliest ``snapshot.taken_at`` over the item
rows of every key with that name (any event, any property scope), found through
``item_key.name_hash``: one grouped query per source, no copies read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from drift.model import ItemKey, Scope
from drift.store.record import chunks, key_h16, name_h16
from drift.store.tables import ItemKeyRow, ItemRow, SnapshotRow, SourceRow


def first_seen_by_hash(session: Session, source: str) -> dict[bytes, dt.datetime]:
    """name hash -> first time ``source`` held a property of that name (empty if never recorded)."""
    query = (
        select(ItemKeyRow.name_hash, func.min(SnapshotRow.taken_at))
        .select_from(ItemRow)
        .join(ItemKeyRow, ItemKeyRow.id == ItemRow.key_id)
        .join(SnapshotRow, SnapshotRow.id == ItemRow.valid_from)
        .join(SourceRow, SourceRow.id == ItemRow.source_id)
        .where(SourceRow.name == source, ItemKeyRow.scope != str(Scope.EVENT))
        .group_by(ItemKeyRow.name_hash)
    )
    return {bytes(h): _aware(when) for h, when in session.execute(query)}


def _aware(value: dt.datetime) -> dt.datetime:
    """``min()`` bypasses the column type on some backends: make sure the result is aware UTC."""
    if isinstance(value, str):  # SQLite returns the aggregate as text
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class FirstSeenIndex:
    """Loaded first-seen dates; call it as ``index(source, property_name)`` after the session."""

    by_source: Mapping[str, Mapping[bytes, dt.datetime]] = field(default_factory=dict)

    def __call__(self, source: str, name: str) -> dt.datetime | None:
        return self.by_source.get(source, {}).get(name_h16(Scope.EVENT_PROPERTY, "", name))


def load_first_seen(session: Session, sources: Iterable[str]) -> FirstSeenIndex:
    """First-seen dates of every property name of these sources (one query per source)."""
    return FirstSeenIndex({name: first_seen_by_hash(session, name) for name in sources})


def first_seen_by_key(
    session: Session, source: str, keys: Iterable[ItemKey]
) -> dict[ItemKey, dt.datetime]:
    """When each key first appeared on the source (earliest valid_from snapshot)."""
    by_hash = {key_h16(k): k for k in keys}
    out: dict[ItemKey, dt.datetime] = {}
    for chunk in chunks(list(by_hash)):
        query = (
            select(ItemKeyRow.key_hash, func.min(SnapshotRow.id))
            .select_from(ItemRow)
            .join(ItemKeyRow, ItemKeyRow.id == ItemRow.key_id)
            .join(SnapshotRow, SnapshotRow.id == ItemRow.valid_from)
            .join(SourceRow, SourceRow.id == ItemRow.source_id)
            .where(SourceRow.name == source, ItemKeyRow.key_hash.in_(chunk))
            .group_by(ItemKeyRow.key_hash)
        )
        firsts = {bytes(h): sid for h, sid in session.execute(query)}
        times = _taken_at(session, set(firsts.values()))
        out.update({by_hash[h]: times[sid] for h, sid in firsts.items()})
    return out


def _taken_at(session: Session, ids: set[int]) -> dict[int, dt.datetime]:
    out: dict[int, dt.datetime] = {}
    for chunk in chunks(sorted(ids)):
        rows = session.execute(
            select(SnapshotRow.id, SnapshotRow.taken_at).where(SnapshotRow.id.in_(chunk))
        )
        out.update({sid: taken for sid, taken in rows})
    return out
