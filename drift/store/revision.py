"""What a connection needs before SQLAlchemy: the schema revision drift expects, read-only SQLite
connections and SQLite's busy timeout. Kept free of SQLAlchemy imports so ``drift.store.lean`` can
use them too."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from drift.errors import StoreError
from drift.resources import migrations_dir

#: Seconds a SQLite connection waits for another connection's write lock before it fails with
#: "database is locked". Long enough to sit out ordinary commits; a run recording a huge schema
#: holds the lock longer, and the run lease reads that as "another run holds the lease".
SQLITE_BUSY_TIMEOUT = 30.0

_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def schema_head() -> str:
    """The newest migration's revision, read from the migration files' ``revision`` and
    ``down_revision`` lines, without importing Alembic (0.1-0.3 s) on every command. The history
    is linear; tests/store/test_schema_head.py checks the answer against Alembic's own."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise StoreError(f"the migrations have {len(heads)} heads ({sorted(heads)}), not one")
    return heads.pop()


def busy_timeout_pragma(seconds: float) -> str:
    """The PRAGMA that makes a SQLite connection wait ``seconds`` for a held write lock."""
    return f"PRAGMA busy_timeout={round(seconds * 1000)}"


#: The statement that makes every later transaction of a server connection READ ONLY.
READ_ONLY_SQL = {
    "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
    "mysql": "SET SESSION TRANSACTION READ ONLY",
    "mariadb": "SET SESSION TRANSACTION READ ONLY",
}


def set_read_only(connection: Any, dialect: str) -> None:
    """Make a DB-API connection to PostgreSQL or MariaDB read every later transaction READ ONLY
    (the store's read-only engines and ``drift diff``'s driver-only reader alike)."""
    cursor = connection.cursor()
    try:
        cursor.execute(READ_ONLY_SQL[dialect])
    finally:
        cursor.close()
    connection.commit()


def read_only_sqlite(path: Path) -> Callable[[], sqlite3.Connection]:
    """Connections that open the file with ``mode=ro``. A WAL database whose directory the user
    cannot write (no ``-shm`` file can be made) is opened ``immutable`` instead: nobody can be
    writing it then."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)
        return conn

    return connect
