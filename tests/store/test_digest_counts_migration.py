"""Revision 0008 on every backend: digests committed before it show their counts in ``drift
status`` (filled from their bodies), and ``item.definition_id`` has exactly one index (on MariaDB
it takes the place of the foreign key's own); downgrade and upgrade again leave the same."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import column, insert, inspect, select, table, text

from drift.store import digest_parts, outbox
from drift.store.database import Database
from drift.store.tables import DigestRow, UTCDateTime
from tests.conftest import BACKENDS
from tests.store.migrating import at, migrate

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
COUNTS = {"new_high": 7, "new_medium": 2, "new_low": 0, "policy_violations": 1, "changes": 60}


def big_body() -> str:
    """A body as drift writes it (counts before the sources), over three 1 MiB chunks, with
    multi-byte characters so that chunk boundaries fall inside them."""
    names = [f"é中😀 property {i}" for i in range(120_000)]
    body = json.dumps({"version": 1, "counts": COUNTS, "sources": names}, ensure_ascii=False)
    assert len(body.encode()) > 3 * (1 << 20)
    return body


def commit_at_0007(db: Database, bodies: list[str]) -> None:
    """Digests as revision 0007 stored them: a row without counts, the body in chunks."""
    old_digest = table(
        "digest",
        column("created_at", UTCDateTime()),
        *map(column, ("id", "digest_key", "run_id", "rules_hash", "subject")),
    )
    part = table("digest_part", *map(column, ("digest_id", "field", "seq", "chunk")))
    with db.engine.begin() as conn:
        for n, body in enumerate(bodies, start=1):
            row = {"id": n, "digest_key": f"k{n}", "run_id": None, "rules_hash": "r"}
            conn.execute(insert(old_digest).values(**row, subject=f"s{n}", created_at=T0))
            for seq, chunk in enumerate(digest_parts.utf8_chunks(body)):
                values = {"digest_id": n, "field": "body_json", "seq": seq, "chunk": chunk}
                conn.execute(insert(part).values(values))


def definition_indexes(db: Database) -> list[str]:
    indexes = inspect(db.engine).get_indexes("item")
    return sorted(str(i["name"]) for i in indexes if i["column_names"] == ["definition_id"])


def counts_by_digest(db: Database) -> list[object]:
    with db.session() as session:
        stored = session.scalars(select(DigestRow.counts_json).order_by(DigestRow.id))
        return [json.loads(s) for s in stored]


@pytest.mark.parametrize("backend", BACKENDS)
def test_digests_from_before_0008_get_their_counts_and_definition_id_one_index(
    backend: str, server_db_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = at("0007", backend, server_db_factory, tmp_path)
    fk_index = ["fk_item_definition_id_definition"] if backend == "mariadb" else []
    assert definition_indexes(db) == fk_index  # InnoDB's own index for the foreign key
    body = big_body()
    commit_at_0007(db, ["{}", "", "not json", body])  # the newest has counts

    for _ in range(2):  # upgrade, and again after a downgrade
        db.upgrade()
        with db.session() as session:
            newest = outbox.newest_digest_counts(session)
            kept = digest_parts.read(session, [4], [digest_parts.BODY_JSON])[4]
        assert newest == COUNTS
        assert counts_by_digest(db) == [{}, {}, {}, COUNTS]
        assert kept[digest_parts.BODY_JSON] == body
        assert definition_indexes(db) == ["ix_item_definition_id"]

        migrate(db, "0007", down=True)
        assert "counts_json" not in {c["name"] for c in inspect(db.engine).get_columns("digest")}
        assert definition_indexes(db) == fk_index
    db.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_body_too_deeply_nested_to_parse_does_not_stop_the_upgrade(
    backend: str, server_db_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Parsing "[" * 200,000 raises RecursionError, not ValueError: it stopped the upgrade (and on
    MariaDB left the column behind, so that every retry failed). Its counts are unknown: ``{}``."""
    db = at("0007", backend, server_db_factory, tmp_path)
    commit_at_0007(db, ["[" * 200_000, json.dumps({"counts": COUNTS})])

    assert db.upgrade() == ("0007", db.head())
    assert counts_by_digest(db) == [{}, COUNTS]
    db.dispose()


MARIADB = [b for b in BACKENDS if b == "mariadb"]


@pytest.mark.parametrize("index_made", [False, True], ids=["column-only", "column-and-index"])
@pytest.mark.parametrize("backend", MARIADB)
def test_an_upgrade_to_0008_that_stopped_half_way_on_mariadb_completes_on_retry(
    backend: str, index_made: bool, server_db_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """MariaDB commits each ALTER TABLE by itself, so an upgrade that stopped during the backfill
    (or after the index, before the version stamp) left ``counts_json`` (and the index) in place
    with ``alembic_version`` at 0007: every retry failed with (1060, "Duplicate column name
    'counts_json'"). The retry now skips what exists and fills what is missing."""
    db = at("0007", backend, server_db_factory, tmp_path)
    commit_at_0007(db, [json.dumps({"counts": COUNTS}), "{}"])
    with db.engine.begin() as conn:  # what the stopped upgrade left behind
        conn.execute(text("ALTER TABLE digest ADD COLUMN counts_json TEXT NULL"))
        if index_made:
            conn.execute(text("CREATE INDEX ix_item_definition_id ON item (definition_id)"))
            conn.execute(text("UPDATE digest SET counts_json = '{}' WHERE id = 2"))
    assert db.current() == "0007"

    assert db.upgrade() == ("0007", db.head())
    assert counts_by_digest(db) == [COUNTS, {}]
    assert definition_indexes(db) == ["ix_item_definition_id"]
    migrate(db, "0007", down=True)  # and the downgrade still finds what it drops
    assert definition_indexes(db) == ["fk_item_definition_id_definition"]
    db.dispose()
