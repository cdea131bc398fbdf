"""Recording a snapshot as tests need it: one schema, taken ``day`` days after T0, committed in
its own session (what a run does once per source)."""

from __future__ import annotations

import datetime as dt

from drift.model import Schema
from drift.store import record
from drift.store.database import Database

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)


def store(db: Database, s: Schema, day: int = 0) -> record.Recorded:
    with db.session() as session:
        return record.record_snapshot(
            session, s, source_type="jsonschema", taken_at=T0 + dt.timedelta(days=day)
        )
