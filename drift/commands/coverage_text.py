"""Coverage as people read it (one sentence per source) and as machines read it (a dict).

Every ``exposure`` and ``timeline`` answer carries these, in every format, so that "nothing found"
is never mistaken for "nothing was there".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drift import clockface
from drift.answers.coverage import Coverage, Extent

NO_RECORDS_HINT = "drift has no records for this window"


def sentence(c: Coverage, tz: dt.tzinfo) -> str:
    """E.g. "amplitude: records from 2026-11-29 00:39 Europe/Berlin to ...; nothing before"."""

    def at(moment: dt.datetime) -> str:
        return clockface.minute(moment, tz)

    if c.first is None or c.last is None:
        return f"{c.source}: no records (drift has never read this source)"
    if c.extent is Extent.NONE:
        return (
            f"{c.source}: no records for this window: drift's first snapshot of it is from "
            f"{at(c.first)}; what it held before then is unknown to drift"
        )
    if c.extent is Extent.AS_OF_LAST_READ:
        return (
            f"{c.source}: not read during the window; shown as drift's latest snapshot "
            f"({at(c.last)}) saw it"
        )
    covered = c.covered
    assert covered is not None
    text = (
        f"{c.source}: records from {at(covered[0])} to {at(covered[1])} ({c.snapshots} snapshots)"
    )
    if c.window.since < c.first:
        text += f"; nothing before {at(c.first)} (drift's first snapshot of it)"
    if c.window.until > c.last:
        text += f"; not read after {at(c.last)}"
    return text


def document(c: Coverage, tz: dt.tzinfo) -> dict[str, Any]:
    covered = c.covered
    return {
        "source": c.source,
        "extent": str(c.extent),
        "first_snapshot_at": clockface.iso(c.first, tz),
        "latest_snapshot_at": clockface.iso(c.last, tz),
        "covered_from": clockface.iso(covered[0], tz) if covered else None,
        "covered_until": clockface.iso(covered[1], tz) if covered else None,
        "snapshots": c.snapshots,
        "statement": sentence(c, tz),
    }


def lifetime(c: Coverage, tz: dt.tzinfo) -> str:
    """For answers without a window (timeline): the span drift has records of a source for."""
    if c.first is None or c.last is None:
        return f"{c.source}: no records (drift has never read this source)"
    return (
        f"{c.source}: records from {clockface.minute(c.first, tz)} to "
        f"{clockface.minute(c.last, tz)} ({c.snapshots} snapshots); nothing before the first"
    )
