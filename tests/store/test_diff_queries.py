"""The queries behind ``drift diff`` read only what differs, through indexes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event

from drift.model import Item, Provenance, Schema, Scope
from drift.store import queries, record
from drift.store.database import Database

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)


def _plan(names: list[str]) -> Schema:
    items = [Item.of(Scope.EVENT, "E")]
    items += [Item.of(Scope.EVENT_PROPERTY, "E", n, type="string") for n in names]
    return Schema.build("plan", Provenance.DOCUMENTED, items)


def test_names_seen_before_are_looked_up_by_name_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite would rather scan every key of the source through its (source_id, key_hash) index
    than look the few wanted names up in ``ix_item_key_name_hash`` (0.27 s against 1 ms at 100k
    keys)."""
    database = Database(f"sqlite:///{tmp_path / 'drift.db'}")
    names = [f"p{i}" for i in range(300)]
    for day, kept in enumerate([names, [*names, "new"]]):
        with database.session() as session:
            record.record_snapshot(
                session, _plan(kept), source_type="jsonschema", taken_at=T0 + day * dt.timedelta(1)
            )
    seen: list[tuple[str, Any]] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _keep(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    with database.session() as session:
        known = queries.names_seen_by(session, "plan", ["p1", "p2", "new"], 1)
        assert known == {"p1", "p2"}
        statement, params = seen[-1]
        plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
        details = [row[3] for row in plan]
    database.dispose()
    assert any("ix_item_key_name_hash" in d for d in details), details
