"""Which part of an asked window drift has records for, per source.

drift knows a source from its first snapshot to its latest one: before the first it knows nothing,
after the latest it knows only what that read saw. An answer says so, so that "nothing found" is
never mistaken for "nothing was there". Times are aware UTC; commands render them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from drift.store.history import SourceSnapshots, Window


class Extent(StrEnum):
    FULL = "full"  # snapshots before (or at) the start and after (or at) the end of the window
    PARTIAL = "partial"  # the window starts before the first snapshot or ends after the latest
    AS_OF_LAST_READ = "as_of_last_read"  # the whole window is after the latest snapshot
    NONE = "none"  # no snapshot yet, or the window ends before the first one


@dataclass(frozen=True)
class Coverage:
    """One source's records against one window."""

    source: str
    window: Window
    first: dt.datetime | None  # drift's first snapshot of the source
    last: dt.datetime | None  # its latest snapshot
    snapshots: int

    @property
    def extent(self) -> Extent:
        if self.first is None or self.last is None or self.window.until < self.first:
            return Extent.NONE
        if self.window.since > self.last:
            return Extent.AS_OF_LAST_READ
        if self.window.since < self.first or self.window.until > self.last:
            return Extent.PARTIAL
        return Extent.FULL

    @property
    def covered(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The part of the window between the first and the latest snapshot."""
        if self.extent in (Extent.NONE, Extent.AS_OF_LAST_READ):
            return None
        assert self.first is not None and self.last is not None
        return max(self.window.since, self.first), min(self.window.until, self.last)

    @property
    def unknown_before(self) -> bool:
        """Part of the window is before drift's first snapshot: nothing is known about it."""
        return self.first is None or self.window.since < self.first


def coverage(snaps: SourceSnapshots, window: Window) -> Coverage:
    rows = snaps.rows
    first = rows[0].taken_at if rows else None
    last = rows[-1].taken_at if rows else None
    return Coverage(snaps.name, window, first, last, len(rows))


def answerable(found: list[Coverage] | tuple[Coverage, ...]) -> bool:
    """Some source has a snapshot at or before the end of the window."""
    return any(c.extent is not Extent.NONE for c in found)
