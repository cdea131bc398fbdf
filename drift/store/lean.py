"""``drift diff`` without SQLAlchemy: the few reads it needs, through the DB-API driver alone.

A fresh ``drift diff`` spent most of its time importing SQLAlchemy and its ORM (0.25 s) for about
20 ms of queries. For a plain database URL (a SQLite file, or a PostgreSQL/MariaDB URL without
query options) :func:`touched` answers the same reads with the driver itself (sqlite3, psycopg,
PyMySQL), read-only, with the statements the store runs too (:mod:`drift.store.intervals`, their
``:name`` parameters turned into the driver's paramstyle). Whatever it does not
answer the same way returns None, and the caller reads through SQLAlchemy as before, which also
words any error: a date as a reference, a source or snapshot that is not recorded, a first
snapshot, a schema not at head, any driver error. Names come back in their stored form
(:mod:`drift.store.stored_form`) and are read back as the store's column type reads them.
tests/answers/test_diff_equals_full_load.py holds both paths to a full-load diff on every backend.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from drift.model import Item, ItemKey, Scope
from drift.store import intervals
from drift.store.identity import name_h16
from drift.store.revision import (
    SQLITE_BUSY_TIMEOUT,
    busy_timeout_pragma,
    read_only_sqlite,
    schema_head,
    set_read_only,
)
from drift.store.stored_form import unstored_text

#: A named parameter of :mod:`drift.store.intervals`, as psycopg and PyMySQL spell it.
_NAMED = re.compile(r":(\w+)")


@dataclass(frozen=True)
class Touched:
    """What ``drift diff`` compares: snapshot ids, the items that may differ at each end, and
    which of the added property names the source held before."""

    a: int
    b: int
    before: dict[ItemKey, Item]
    after: dict[ItemKey, Item]
    known: set[str]


def touched(url: str, source: str, from_ref: str, to_ref: str) -> Touched | None:
    """The reads of ``drift diff --from FROM_REF --to TO_REF`` for ``source``; None when the
    caller must ask through SQLAlchemy instead (see the module docstring)."""
    try:
        with _reader(url) as reader:
            return None if reader is None else _touched(reader, source, from_ref, to_ref)
    except Exception:  # any driver error: SQLAlchemy's path tells it properly
        return None


class _Reader:
    def __init__(self, connection: Any, paramstyle_format: bool) -> None:
        self._connection = connection
        self._format = paramstyle_format

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` with ``:name`` parameters (sqlite3 takes them as they are)."""
        with closing(self._connection.cursor()) as cursor:
            cursor.execute(_NAMED.sub(r"%(\1)s", sql) if self._format else sql, params)
            return [tuple(row) for row in cursor.fetchall()]


@contextmanager
def _reader(url: str) -> Iterator[_Reader | None]:
    opened = _connect(url)
    if opened is None:
        yield None
        return
    connection, paramstyle_format = opened
    try:
        yield _Reader(connection, paramstyle_format)
    finally:
        connection.close()


def _connect(url: str) -> tuple[Any, bool] | None:
    """A read-only connection, as ``drift.store.database`` makes one, for the URL forms drift
    writes itself; None for any other form."""
    scheme, sep, rest = url.partition("://")
    if not sep or "?" in rest or "%" in rest:
        return None
    if scheme == "sqlite":
        path = rest.removeprefix("/")
        if not rest.startswith("/") or path in ("", ":memory:"):
            return None
        sqlite = read_only_sqlite(Path(path))()
        sqlite.isolation_level = None
        sqlite.execute(busy_timeout_pragma(SQLITE_BUSY_TIMEOUT))
        sqlite.execute("BEGIN")
        return sqlite, False
    parts = urlsplit(url)
    if scheme == "postgresql+psycopg":
        psycopg = importlib.import_module("psycopg")
        options = _server_options(parts, "dbname")
        connection = psycopg.connect(**options)
        set_read_only(connection, "postgresql")
        return connection, True
    if scheme in ("mysql+pymysql", "mariadb+pymysql"):
        pymysql = importlib.import_module("pymysql")
        connection = pymysql.connect(**_server_options(parts, "database"), charset="utf8mb4")
        set_read_only(connection, "mariadb")
        return connection, True
    return None


def _server_options(parts: Any, database_key: str) -> dict[str, Any]:
    options = {
        "host": parts.hostname,
        "port": parts.port,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        database_key: parts.path.removeprefix("/") or None,
    }
    return {key: value for key, value in options.items() if value is not None}


def _touched(reader: _Reader, source: str, from_ref: str, to_ref: str) -> Touched | None:
    if reader.rows("SELECT version_num FROM alembic_version", {}) != [(schema_head(),)]:
        return None
    found = reader.rows(intervals.SOURCE_ID, {"name": source})
    if not found:
        return None
    sid = found[0][0]
    a, b = _resolve(reader, sid, from_ref), _resolve(reader, sid, to_ref)
    if a is None or b is None:
        return None
    before_where, after_where = intervals.touched(sid, a, b)
    before, after = _items(reader, before_where), _items(reader, after_where)
    names = [k.name for k in after if k.scope is not Scope.EVENT]
    return Touched(a, b, before, after, _names_seen_by(reader, sid, names, min(a, b)))


def _resolve(reader: _Reader, sid: int, ref: str) -> int | None:
    """``latest``, ``previous`` or a snapshot id of this source; None for anything else (a date,
    a missing snapshot), which SQLAlchemy's path resolves or words as an error."""
    ref = ref.strip()
    if ref in intervals.NAMED_REFS:
        ids = reader.rows(intervals.NEWEST, {"sid": sid})
        index = intervals.NAMED_REFS[ref]
        return int(ids[index][0]) if len(ids) > index else None
    number = intervals.snapshot_number(ref)
    if number is not None:
        found = reader.rows(intervals.SNAPSHOT_OF_SOURCE, {"id": number, "sid": sid})
        return int(found[0][0]) if found else None
    return None


def _items(reader: _Reader, where: intervals.Where) -> dict[ItemKey, Item]:
    """Items matching ``where``, their names as the vendor sent them."""
    condition, params = where
    stored = reader.rows(intervals.item_rows(condition), params)
    rows = [(s, unstored_text(e), unstored_text(n), d) for s, e, n, d in stored]
    bodies = dict(reader.rows(intervals.definition_rows(condition), params))
    return {item.key: item for item in intervals.items_of(rows, bodies)}


def _names_seen_by(reader: _Reader, sid: int, names: Sequence[str], snapshot_id: int) -> set[str]:
    """Which property names the source had held at any time up to ``snapshot_id``."""
    hashes = sorted({name_h16(Scope.EVENT_PROPERTY, "", n) for n in names})
    known: set[str] = set()
    for start in range(0, len(hashes), intervals.IN_LIST):
        statement, params = intervals.names_seen(
            sid, snapshot_id, hashes[start : start + intervals.IN_LIST]
        )
        known.update(unstored_text(name) for (name,) in reader.rows(statement, params))
    return known
