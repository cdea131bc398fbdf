"""The queries behind ``drift diff`` read only what differs, through indexes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from drift.model import Item, Provenance, Schema, Scope
from drift.store import queries
from drift.store.database import Database
from tests.recording import store


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
        store(database, _plan(kept), day)
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


def test_both_read_paths_know_the_names_the_source_held_before(db_url: str) -> None:
    """A property added to another event is "added", not "new to the source", when the source
    held its name before in any property scope, spelled exactly so (case and all); an event's own
    name does not count. ``drift diff``'s driver-only reader and the store find the same names."""
    from drift.store import lean

    held = ["email", "E-Mail", "名前", "$browser", "a.b"]
    first = [Item.of(Scope.EVENT, "Signup"), Item.of(Scope.EVENT, "Checkout")]
    first += [Item.of(Scope.EVENT_PROPERTY, "Signup", n, type="string") for n in held]
    first.append(Item.of(Scope.USER_PROPERTY, "", "plan", type="string"))
    added = [*held, "plan", "Signup", "EMAIL", "fresh"]
    second = first + [Item.of(Scope.EVENT_PROPERTY, "Checkout", n, type="string") for n in added]
    database = Database(db_url)
    ids = [
        store(database, Schema.build("web", Provenance.DOCUMENTED, items), day).snapshot_id
        for day, items in enumerate([first, second])
    ]
    with database.session() as session:
        by_store = queries.names_seen_by(session, "web", added, ids[0])
    database.dispose()
    found = lean.touched(db_url, "web", str(ids[0]), str(ids[1]))
    assert found is not None and sorted(k.name for k in found.after) == sorted(added)
    assert found.known == by_store == {*held, "plan"}


def test_the_driver_only_reader_leaves_what_it_does_not_read_alike_to_the_store(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """Dates, unknown sources and snapshots, a first snapshot, URLs with options: None, so the
    store (SQLAlchemy) answers or words the error."""
    from drift.store import lean

    url = f"sqlite:///{tmp_path / 'drift.db'}"
    database = Database(url)
    for day, kept in enumerate([["a"], ["a", "b"]]):
        store(database, _plan(kept), day)
    database.dispose()
    found = lean.touched(url, "plan", "previous", "latest")
    assert found is not None and (found.a, found.b) == (1, 2)
    assert [k.name for k in found.after] == ["b"] and found.known == set()
    assert lean.touched(url, "plan", "2026-11-01", "latest") is None
    assert lean.touched(url, "nope", "previous", "latest") is None
    assert lean.touched(url, "plan", "7", "latest") is None
    assert lean.touched(url, "plan", "1", "1") is not None
    assert lean.touched(f"{url}?timeout=5", "plan", "previous", "latest") is None
    assert lean.touched("sqlite://", "plan", "previous", "latest") is None


def test_the_shared_statements_hold_nothing_the_paramstyle_rewrite_could_touch() -> None:
    """lean.py turns ``:name`` into ``%(name)s`` for psycopg and PyMySQL with a plain pattern: safe
    only while the statements hold no literal, ``%``, cast (``::``) or comment, and every value
    (a name, a hash, an id) is a bound parameter."""
    from drift.store import intervals

    before, after = intervals.touched(1, 2, 3)
    statements = [intervals.SOURCE_ID, intervals.NEWEST, intervals.SNAPSHOT_OF_SOURCE]
    for condition, _ in (before, after, intervals.present_at(1, 2)):
        statements += [intervals.item_rows(condition), intervals.definition_rows(condition)]
    statements.append(intervals.names_seen(1, 2, [b"\x00" * 16, b"'%::--" * 3])[0])
    for sql in statements:
        assert not any(mark in sql for mark in ("'", '"', "%", "::", "--", "/*")), sql
