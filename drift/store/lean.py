"""``drift diff`` without SQLAlchemy: the few reads it needs, through the DB-API driver alone.

A fresh ``drift diff`` spent most of its time importing SQLAlchemy and its ORM (0.25 s) for about
20 ms of queries. For a plain database URL (a SQLite file, or a PostgreSQL/MariaDB URL without
query options) :func:`touched` answers the same reads with the driver itself (sqlite3, psycopg,
PyMySQL), read-only, with the same SQL as :mod:`drift.store.queries`. Whatever it does not
answer the same way returns None, and the caller reads through SQLAlchemy as before, which also
words any error: a date as a reference, a source or snapshot that is not recorded, a first
snapshot, a schema not at head, a name kept in its escaped stored form, any driver error.
tests/answers/test_diff_equals_full_load.py holds both paths to a full-load diff on every backend.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from drift.canonical import h16
from drift.model import Item, ItemKey, Scope
from drift.store.revision import (
    SQLITE_BUSY_TIMEOUT,
    busy_timeout_pragma,
    read_only_sqlite,
    schema_head,
)

#: A stored name in its escaped form starts with this (see drift.store.vendor_text).
_ESCAPED_MARKER = "\uffff"
_CHUNK = 500
_SCOPES = {str(s): s for s in Scope}

#: Intervals of a source that were open at ``lo`` and closed by ``hi`` (params: sid, lo, lo, hi),
#: and that opened after ``lo`` and were still open at ``hi`` (sid, lo, hi, hi).
_CLOSED = "i.source_id = ? AND i.valid_from <= ? AND i.valid_to > ? AND i.valid_to <= ?"
_OPENED = (
    "i.source_id = ? AND i.valid_from > ? AND i.valid_from <= ?"
    " AND (i.valid_to IS NULL OR i.valid_to > ?)"
)
_ITEMS = {
    where: (
        "SELECT k.scope, k.event, k.name, i.definition_id FROM item i"  # noqa: S608 (constants)
        f" JOIN item_key k ON k.id = i.key_id WHERE {where}",
        "SELECT id, body FROM definition WHERE id IN"  # noqa: S608 (constants)
        f" (SELECT DISTINCT i.definition_id FROM item i WHERE {where})",
    )
    for where in (_CLOSED, _OPENED)
}
_NAMES_SEEN = (
    "SELECT DISTINCT k.name FROM item_key k JOIN item i ON i.key_id = k.id"
    " WHERE k.source_id + 0 = ? AND k.scope != ? AND i.valid_from <= ? AND k.name_hash IN "
)


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

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with closing(self._connection.cursor()) as cursor:
            cursor.execute(sql.replace("?", "%s") if self._format else sql, params)
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
        connection.read_only = True
        return connection, True
    if scheme in ("mysql+pymysql", "mariadb+pymysql"):
        pymysql = importlib.import_module("pymysql")
        connection = pymysql.connect(**_server_options(parts, "database"), charset="utf8mb4")
        with closing(connection.cursor()) as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
        connection.commit()
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
    if reader.rows("SELECT version_num FROM alembic_version") != [(schema_head(),)]:
        return None
    found = reader.rows("SELECT id FROM source WHERE name = ?", source)
    if not found:
        return None
    sid = found[0][0]
    a, b = _resolve(reader, sid, from_ref), _resolve(reader, sid, to_ref)
    if a is None or b is None:
        return None
    lo, hi = min(a, b), max(a, b)
    closed = _items(reader, _CLOSED, sid, lo, lo, hi)
    opened = _items(reader, _OPENED, sid, lo, hi, hi)
    if closed is None or opened is None:
        return None
    before, after = (closed, opened) if a <= b else (opened, closed)
    names = [k.name for k in after if k.scope is not Scope.EVENT]
    return Touched(a, b, before, after, _names_seen_by(reader, sid, names, lo))


def _resolve(reader: _Reader, sid: int, ref: str) -> int | None:
    """``latest``, ``previous`` or a snapshot id of this source; None for anything else (a date,
    a missing snapshot), which SQLAlchemy's path resolves or words as an error."""
    ref = ref.strip()
    if ref in ("latest", "previous"):
        ids = reader.rows(
            "SELECT id FROM snapshot WHERE source_id = ? ORDER BY id DESC LIMIT 2", sid
        )
        index = 0 if ref == "latest" else 1
        return int(ids[index][0]) if len(ids) > index else None
    if ref.isdigit():
        found = reader.rows("SELECT id FROM snapshot WHERE id = ? AND source_id = ?", int(ref), sid)
        return int(found[0][0]) if found else None
    return None


def _items(reader: _Reader, where: str, *params: Any) -> dict[ItemKey, Item] | None:
    """Items matching ``where``; each distinct definition read and parsed once."""
    items_sql, definitions_sql = _ITEMS[where]
    rows = reader.rows(items_sql, *params)
    if any(e.startswith(_ESCAPED_MARKER) or n.startswith(_ESCAPED_MARKER) for _, e, n, _ in rows):
        return None
    bodies = dict(reader.rows(definitions_sql, *params))
    parsed = dict(zip(bodies, json.loads(f"[{','.join(bodies.values())}]"), strict=True))
    items = [Item(_SCOPES[s], e, n, parsed[d]) for s, e, n, d in rows]
    return {item.key: item for item in items}


def _names_seen_by(reader: _Reader, sid: int, names: Sequence[str], snapshot_id: int) -> set[str]:
    """Which property names the source had held at any time up to ``snapshot_id``."""
    hashes = sorted({h16(n) for n in names})  # item_key.name_hash of a property name
    known: set[str] = set()
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        known.update(
            name
            for (name,) in reader.rows(
                _NAMES_SEEN + "(" + ", ".join("?" * len(chunk)) + ")",
                sid,
                str(Scope.EVENT),
                snapshot_id,
                *chunk,
            )
        )
    return known
