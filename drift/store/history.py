"""History over the temporal store: what :mod:`drift.store.timeline` and
:mod:`drift.store.exposure` share.

Both are answered from the item intervals, never by loading stored copies. An item row is an
:class:`Interval`: a key with one definition from snapshot ``valid_from`` until ``valid_to`` (or
now). A :class:`Window` maps two moments onto snapshot ids: with ``lo`` the last snapshot at or
before ``since`` (or the first one after it) and ``hi`` the last at or before ``until``, an item
overlaps when ``valid_from <= hi`` and (``valid_to`` is NULL or ``valid_to > lo``).

Times are aware UTC here; commands render them in the configured timezone.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from drift.model import Finding, ItemKey
from drift.store.queries import source_id
from drift.store.record import chunks
from drift.store.tables import ItemRow, SnapshotRow

#: Findings a definition carries by itself (the vendor's own privacy labels); the application
#: layer supplies it, so the store needs no classification code.
DefinitionFindings = Callable[[Mapping[str, Any]], tuple[Finding, ...]]


def no_definition_findings(definition: Mapping[str, Any]) -> tuple[Finding, ...]:
    return ()


@dataclass(frozen=True)
class SnapshotRef:
    id: int
    taken_at: dt.datetime
    content_hash: str


class SourceSnapshots:
    """The snapshots of one source in recording order, for id and time look-ups."""

    def __init__(self, name: str, rows: Sequence[SnapshotRef]) -> None:
        self.name = name
        self.rows = list(rows)
        self._ids = [r.id for r in self.rows]
        self._by_id = {r.id: r for r in self.rows}

    def at(self, snapshot_id: int) -> SnapshotRef:
        return self._by_id[snapshot_id]

    def before(self, snapshot_id: int) -> SnapshotRef:
        """The snapshot preceding ``snapshot_id``: the last one an item closed there was in."""
        return self.rows[bisect.bisect_left(self._ids, snapshot_id) - 1]

    def last_at_or_before(self, moment: dt.datetime) -> SnapshotRef | None:
        found = [r for r in self.rows if r.taken_at <= moment]
        return found[-1] if found else None

    def first_after(self, moment: dt.datetime) -> SnapshotRef | None:
        return next((r for r in self.rows if r.taken_at > moment), None)

    def between(self, lo: int, hi: int) -> list[SnapshotRef]:
        return [r for r in self.rows if lo <= r.id <= hi]


def source_snapshots(session: Session, name: str) -> SourceSnapshots:
    query = (
        select(SnapshotRow.id, SnapshotRow.taken_at, SnapshotRow.content_hash)
        .where(SnapshotRow.source_id == source_id(session, name))
        .order_by(SnapshotRow.id)
    )
    return SourceSnapshots(name, [SnapshotRef(*row) for row in session.execute(query)])


@dataclass(frozen=True)
class Window:
    since: dt.datetime  # aware
    until: dt.datetime  # aware

    def ids(self, snaps: SourceSnapshots) -> tuple[int, int] | None:
        """(lo, hi) snapshot ids covering the window, or None when nothing was recorded by then."""
        hi = snaps.last_at_or_before(self.until)
        if hi is None:
            return None
        lo = snaps.last_at_or_before(self.since) or snaps.first_after(self.since)
        return (lo.id if lo else hi.id), hi.id


@dataclass(frozen=True)
class Interval:
    """One item row: a key with one definition from one snapshot until another (or now)."""

    key: ItemKey
    definition_id: int
    valid_from: int
    valid_to: int | None
    first_seen: dt.datetime
    last_seen: dt.datetime | None  # the last snapshot it was in; None: still present
    gone_at: dt.datetime | None  # the snapshot that no longer had it (or had it changed)

    def overlaps(self, lo: int, hi: int) -> bool:
        return self.valid_from <= hi and (self.valid_to is None or self.valid_to > lo)


def item_rows(session: Session, key_ids: Iterable[int]) -> list[tuple[int, int, int, int | None]]:
    query = select(ItemRow.key_id, ItemRow.definition_id, ItemRow.valid_from, ItemRow.valid_to)
    rows: list[tuple[int, int, int, int | None]] = []
    for chunk in chunks(sorted(key_ids)):
        rows += [
            (k, d, f, t) for k, d, f, t in session.execute(query.where(ItemRow.key_id.in_(chunk)))
        ]
    return rows


def make_interval(
    snaps: SourceSnapshots, key: ItemKey, def_id: int, valid_from: int, valid_to: int | None
) -> Interval:
    return Interval(
        key,
        def_id,
        valid_from,
        valid_to,
        snaps.at(valid_from).taken_at,
        snaps.before(valid_to).taken_at if valid_to is not None else None,
        snaps.at(valid_to).taken_at if valid_to is not None else None,
    )
