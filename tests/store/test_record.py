"""Recording snapshots into the temporal store, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text, update

from drift.diff.engine import compare, diff_schemas
from drift.errors import StoreError
from drift.model import Item, KnownRead, Provenance, Schema, Scope
from drift.store import queries, record
from drift.store.database import Database
from drift.store.tables import DefinitionRow, ItemKeyRow, ItemRow, SnapshotRow
from tests.recording import T0, store


def schema(*items: Item, source: str = "plan") -> Schema:
    return Schema.build(source, Provenance.DOCUMENTED, items)


def prop(event: str, name: str, **fields: object) -> Item:
    return Item.of(Scope.EVENT_PROPERTY, event, name, **fields)


def count(db: Database, table: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_identical_content_adds_a_snapshot_row_and_no_items(database: Database) -> None:
    s = schema(Item.of(Scope.EVENT, "Signup"), prop("Signup", "plan", type="string"))
    first = store(database, s)
    second = store(database, s, day=1)
    assert (first.added, second.added, second.removed, second.changed) == (2, 0, 0, 0)
    assert count(database, SnapshotRow) == 2
    assert count(database, ItemRow) == 2
    assert second.unchanged


def test_state_at_every_snapshot_is_what_was_recorded(database: Database) -> None:
    day0 = schema(Item.of(Scope.EVENT, "Signup"), prop("Signup", "plan", type="string"))
    day1 = schema(
        Item.of(Scope.EVENT, "Signup"),
        prop("Signup", "plan", type="integer"),
        prop("Signup", "email_domain", type="string"),
    )
    day2 = schema(Item.of(Scope.EVENT, "Signup"), prop("Signup", "email_domain", type="string"))
    day3 = day0  # a reappearance and a disappearance at once
    ids = [store(database, s, day=i).snapshot_id for i, s in enumerate([day0, day1, day2, day3])]
    with database.session() as session:
        states = [queries.state_at(session, sid) for sid in ids]
    assert [s.content_hash for s in states] == [s.content_hash for s in (day0, day1, day2, day3)]
    assert (
        count(database, ItemRow) == 5
    )  # plan(string), plan(int), email_domain, plan again + event


def test_diff_from_intervals_equals_diff_of_full_states(database: Database) -> None:
    day0 = schema(Item.of(Scope.EVENT, "A"), prop("A", "x", type="string"), prop("A", "gone"))
    day1 = schema(
        Item.of(Scope.EVENT, "A"), prop("A", "x", type="integer"), prop("B", "x"), prop("A", "new")
    )
    a = store(database, day0).snapshot_id
    b = store(database, day1, day=1).snapshot_id
    with database.session() as session:
        before, after = queries.touched_between(session, "plan", a, b)
        known = queries.names_seen_by(session, "plan", [k.name for k in after], a)
    from_store = compare("plan", before, after, name_known=known.__contains__)
    assert from_store == diff_schemas(day0, day1)
    kinds = {(c.kind.value, c.key.label) for c in from_store}
    assert ("property_added", "B.x") in kinds  # x was known on the source: added to another event
    assert ("property_new", "A.new") in kinds


#: A real database error at the last step of recording (closing vanished items is an UPDATE of
#: ``item``): a trigger refuses it, as a full disk or a lost connection would.
REFUSE_CLOSING = {
    "sqlite": (
        "CREATE TRIGGER refuse_close BEFORE UPDATE ON item BEGIN "
        "SELECT RAISE(ABORT, 'disk full'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION refuse_close() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse_close BEFORE UPDATE ON item "
        "FOR EACH ROW EXECUTE FUNCTION refuse_close()",
    ),
    "mysql": (
        "CREATE TRIGGER refuse_close BEFORE UPDATE ON item FOR EACH ROW "
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk full'",
    ),
}
ALLOW_CLOSING = {
    "sqlite": ("DROP TRIGGER refuse_close",),
    "postgresql": ("DROP TRIGGER refuse_close ON item", "DROP FUNCTION refuse_close()"),
    "mysql": ("DROP TRIGGER refuse_close",),
}


def _run(database: Database, statements: tuple[str, ...]) -> None:
    with database.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_failure_midway_leaves_nothing_behind(database: Database) -> None:
    store(database, schema(prop("A", "kept")))
    big = schema(*(prop("A", f"p{i}", type="string") for i in range(1200)))
    backend = "mysql" if database.backend == "mariadb" else database.backend
    _run(database, REFUSE_CLOSING[backend])
    try:
        with pytest.raises(StoreError, match="disk full"):
            store(database, big, day=1)  # 1200 items written, then "kept" cannot be closed
    finally:
        _run(database, ALLOW_CLOSING[backend])
    assert count(database, SnapshotRow) == 1
    assert count(database, ItemRow) == 1
    assert count(database, DefinitionRow) == 1
    store(database, big, day=1)  # the same recording succeeds once the database does
    assert count(database, SnapshotRow) == 2


def test_names_differing_only_in_case_and_very_long_names_are_distinct(database: Database) -> None:
    long_a, long_b = "a" * 999 + "x", "a" * 999 + "y"
    s = schema(
        prop("E", "Email"),
        prop("E", "email"),
        prop("E", long_a),
        prop("E", long_b),
        prop("E", "\u202egnp.exe"),
        prop("E", "名前 🙂"),
    )
    rec = store(database, s)
    assert rec.added == 6
    with database.session() as session:
        state = queries.state_at(session, rec.snapshot_id)
    assert {i.name for i in state.items} == {
        "Email",
        "email",
        long_a,
        long_b,
        "\u202egnp.exe",
        "名前 🙂",
    }


def test_timestamps_round_trip_as_the_same_instant(database: Database) -> None:
    moment = dt.datetime(
        2026, 11, 29, 12, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    with database.session() as session:
        sid = record.record_snapshot(
            session, schema(), source_type="x", taken_at=moment
        ).snapshot_id
    with database.session() as session:
        got = queries.snapshot_info(session, sid).taken_at
    assert got == moment and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StoreError), database.session() as session:
        record.record_snapshot(session, schema(), source_type="x", taken_at=dt.datetime(2026, 1, 1))


def test_resolve_ref_by_date_latest_previous_and_id(database: Database) -> None:
    ids = [store(database, schema(prop("A", f"p{i}")), day=i).snapshot_id for i in range(3)]
    with database.session() as session:
        assert queries.resolve_ref(session, "plan", "latest") == ids[2]
        assert queries.resolve_ref(session, "plan", "previous") == ids[1]
        assert queries.resolve_ref(session, "plan", str(ids[0])) == ids[0]
        assert queries.resolve_ref(session, "plan", "2026-11-02") == ids[1]
        assert queries.resolve_ref(session, "plan", "2026-10-01") is None


def test_the_vendors_earliest_first_seen_date_is_kept(database: Database) -> None:
    def dated(since: str) -> Schema:
        return schema(Item.of(Scope.EVENT, "Signup", since=since), prop("Signup", "email"))

    store(database, dated("2025-03-01T00:00:00Z"))
    store(database, dated("2024-01-01T00:00:00Z"), day=1)  # the vendor corrects it earlier
    store(database, dated("2025-06-01T00:00:00Z"), day=2)  # a later date never replaces it
    store(database, dated("0001-01-01T00:00:00Z"), day=3)  # Go's zero time is "no date"
    with database.session() as session:
        found = session.execute(select(ItemKeyRow.scope, ItemKeyRow.vendor_since))
        rows = {scope: since for scope, since in found}
        readers = set(session.scalars(select(SnapshotRow.reader_version)))
    assert rows == {"event": dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "event_property": None}
    assert readers == {1}
    assert count(database, ItemRow) == 2  # the date is not part of the definition


def test_a_schema_larger_than_one_lookup_batch_round_trips_and_shares_definitions(
    database: Database,
) -> None:
    """More items than one IN list takes: keys and definitions are matched through a temporary
    table (#15), and a second source reuses the definitions the first one stored."""
    size = 1200
    names = [f"prop_{i}\x00" if i % 97 == 0 else f"prop_{i}" for i in range(size)]
    day0 = [
        prop("Big Event", n, type="string", description=f"d{i % 700}") for i, n in enumerate(names)
    ]
    first = store(database, schema(*day0, source="a"))
    shared = store(database, schema(*day0, source="b"), day=1)
    definitions = count(database, DefinitionRow)
    day1 = [*day0[:-100], *(prop("Big Event", f"new_{i}", type="integer") for i in range(600))]
    changed = store(database, schema(*day1, source="a"), day=2)
    assert (first.added, shared.added, changed.added, changed.removed) == (size, size, 600, 100)
    assert definitions == 700
    assert count(database, DefinitionRow) == 701
    assert count(database, ItemKeyRow) == 2 * size + 600
    with database.session() as session:
        states = [queries.state_at(session, r.snapshot_id) for r in (first, shared, changed)]
    assert [s.by_key() for s in states] == [
        schema(*day0).by_key(),
        schema(*day0).by_key(),
        schema(*day1).by_key(),
    ]
    assert [s.content_hash for s in states] == [
        schema(*day0).content_hash,
        schema(*day0).content_hash,
        schema(*day1).content_hash,
    ]


def test_an_unchanged_schema_is_recognised_by_its_content_hash_only_when_the_store_agrees(
    database: Database,
) -> None:
    """#15.4: the same content hash as the last snapshot skips the per-item comparison, unless
    the source's open items no longer number what that snapshot held (a store edited by hand)."""
    s = schema(Item.of(Scope.EVENT, "Signup"), prop("Signup", "plan", type="string"))
    store(database, s)
    again = store(database, s, day=1)
    assert again.unchanged and count(database, ItemRow) == 2
    with database.session() as session:  # someone closes an interval by hand
        key_id = session.scalar(select(func.min(ItemRow.key_id)))
        session.execute(
            update(ItemRow)
            .where(ItemRow.key_id == key_id, ItemRow.valid_to.is_(None))
            .values(valid_to=again.snapshot_id)
        )
    repaired = store(database, s, day=2)
    assert (repaired.added, repaired.removed, repaired.changed) == (1, 0, 0)
    with database.session() as session:
        assert queries.state_at(session, repaired.snapshot_id).content_hash == s.content_hash


def _unparsable() -> Schema:
    raise AssertionError("a known read of the last snapshot must not be parsed")


def test_a_known_read_of_the_last_snapshot_is_recorded_without_its_items(
    database: Database,
) -> None:
    s = schema(Item.of(Scope.EVENT, "Signup"), prop("Signup", "plan", type="string"))
    store(database, s)
    known = KnownRead("plan", Provenance.DOCUMENTED, s.content_hash, 2, _unparsable)
    with database.session() as session:
        again = record.record_snapshot(session, known, source_type="jsonschema", taken_at=T0)
    assert again.unchanged and again.item_count == 2
    assert count(database, SnapshotRow) == 2 and count(database, ItemRow) == 2
    with database.session() as session:
        hashes = session.scalars(select(SnapshotRow.content_hash)).all()
    assert hashes == [s.content_hash, s.content_hash]


def test_a_known_read_unlike_the_last_snapshot_is_parsed_and_recorded(
    database: Database,
) -> None:
    before = schema(Item.of(Scope.EVENT, "Signup"))
    after = schema(Item.of(Scope.EVENT, "Signup"), prop("Signup", "plan", type="string"))
    store(database, before)
    known = KnownRead("plan", Provenance.DOCUMENTED, after.content_hash, 2, lambda: after)
    with database.session() as session:
        recorded = record.record_snapshot(session, known, source_type="jsonschema", taken_at=T0)
    assert (recorded.added, recorded.removed, recorded.changed) == (1, 0, 0)
    with database.session() as session:
        assert queries.state_at(session, recorded.snapshot_id) == after


def test_a_schema_larger_than_one_round_of_rows_is_recorded_whole(database: Database) -> None:
    """Items are opened ``OPEN_CHUNK`` at a time; definitions shared across rounds are stored
    once, and a later snapshot changes items on both sides of a round's edge."""
    size = record.OPEN_CHUNK + 1_000
    types = ("string", "integer", "boolean")
    day0 = schema(*(prop("E", f"p{i:06d}", type=types[i % 3]) for i in range(size)))
    first = store(database, day0)
    assert (first.added, count(database, ItemRow), count(database, DefinitionRow)) == (
        size,
        size,
        3,
    )
    edge = record.OPEN_CHUNK
    changed = {f"p{i:06d}" for i in (0, edge - 1, edge, size - 1)}
    day1 = schema(
        *(
            prop("E", f"p{i:06d}", type="number" if f"p{i:06d}" in changed else types[i % 3])
            for i in range(1, size)
        )
    )
    second = store(database, day1, day=1)
    assert (second.added, second.removed, second.changed) == (0, 1, 3)
    with database.session() as session:
        assert queries.state_at(session, second.snapshot_id) == day1
        state = queries.state_at(session, second.snapshot_id).by_key()
    assert {i.key.name: i.definition for i in day1.items} == {
        k.name: i.definition for k, i in state.items()
    }
