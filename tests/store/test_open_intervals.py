"""The database itself forbids two open intervals for one key (#13.3), on every backend, and the
upgrade repairs history that concurrent snapshots already doubled."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from drift.errors import StoreError
from drift.model import Item, Provenance, Schema, Scope
from drift.store import record
from drift.store.database import Database
from drift.store.tables import ItemRow
from tests.conftest import BACKENDS

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _record(db: Database, *names: str, day: int = 0) -> record.Recorded:
    items = [Item.of(Scope.EVENT, n) for n in names]
    with db.session() as session:
        return record.record_snapshot(
            session,
            Schema.build("plan", Provenance.DOCUMENTED, items),
            source_type="jsonschema",
            taken_at=T0 + dt.timedelta(days=day),
        )


def test_a_second_open_interval_for_a_key_is_refused(database: Database) -> None:
    _record(database, "Signup")
    with database.session() as session:
        row = session.scalars(select(ItemRow)).one()
        copy = {c: getattr(row, c) for c in ("source_id", "key_id", "definition_id", "valid_from")}
    with pytest.raises(StoreError, match=r"(?i)unique|duplicate"), database.session() as session:
        session.execute(insert(ItemRow).values(**copy, valid_to=None))
    with database.session() as session:  # closed copies of the key are fine
        session.execute(insert(ItemRow).values(**copy, valid_to=copy["valid_from"]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_closes_doubled_open_intervals(backend: str, server_db_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else server_db_factory(backend)
    db = Database(url, auto_upgrade_sqlite=False)
    cfg = db.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO source (id, name, type, created_at)"
                " VALUES (1, 'plan', 'j', '2026-11-01')"
            )
        )
        for sid in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO snapshot (id, source_id, taken_at, content_hash, item_count,"
                    " provenance, fetch_ms, added, removed, changed, reader_version)"
                    f" VALUES ({sid}, 1, '2026-11-0{sid}', 'h', 1, 'documented', 0, 0, 0, 0, 1)"
                )
            )
        conn.execute(
            text("INSERT INTO definition (id, hash, body) VALUES (1, :h, '{}')"), {"h": b"d" * 16}
        )
        conn.execute(
            text(
                "INSERT INTO item_key (id, source_id, key_hash, name_hash, scope, event, name)"
                " VALUES (1, 1, :k, :n, 'event', 'Signup', '')"
            ),
            {"k": b"k" * 16, "n": b"n" * 16},
        )
        for item_id, valid_from in ((1, 1), (2, 2), (3, 3), (4, 3)):
            conn.execute(text(
                "INSERT INTO item (id, source_id, key_id, definition_id, valid_from, valid_to)"
                f" VALUES ({item_id}, 1, 1, 1, {valid_from}, NULL)"
            ))  # fmt: skip
    db.upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, valid_from, valid_to FROM item ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, 1, 2), (2, 2, 3), (4, 3, None)]
    db.dispose()
