"""Many rows at once, the fastest way each backend offers, inside the caller's transaction.

- ``insert_rows``: COPY on PostgreSQL (psycopg's ``cursor.copy``), the driver's ``executemany``
  elsewhere (pymysql rewrites it into multi-row ``INSERT ... VALUES`` statements; SQLite runs it
  in-process). Rows go to the driver as tuples, with no per-row SQLAlchemy work, so callers pass
  stored forms (``stored_text`` for vendor text, 16-byte hashes as bytes).
- ``ids_by_hash``: hash -> id for many hashes: a short ``IN`` list for a few, otherwise the query
  joins the hashes (``load_hashes``: ``unnest`` of an array on PostgreSQL, a temporary table
  elsewhere) on its hash index. Chunked ``IN`` lists took about a second per chunk of 500 on
  PostgreSQL at 100k items.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    LargeBinary,
    MetaData,
    Table,
    bindparam,
    column,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from drift.store import intervals

IN_LIST = intervals.IN_LIST  # more go through a temporary table
#: Rows per multi-row ``INSERT ... RETURNING`` on MariaDB.
RETURNING_BATCH = 2000

HASHES = Table("drift_hashes", MetaData(), Column("h", LargeBinary(16), primary_key=True))

_CREATE_HASHES = "CREATE TEMP TABLE IF NOT EXISTS drift_hashes (h BLOB PRIMARY KEY)"


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Append ``rows`` (tuples in ``columns`` order) to the table named ``table``."""
    connection = session.connection()
    dialect = connection.dialect
    raw: Any = connection.connection.driver_connection
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    target = quote(table)
    if dialect.name == "postgresql":
        statement = f"COPY {target} ({names}) FROM STDIN"
        with (
            driver_errors(connection, statement),
            raw.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(columns))
    # Table and column names come from our metadata (quoted); every value is a bound parameter.
    statement = f"INSERT INTO {target} ({names}) VALUES ({marks})"  # noqa: S608
    cursor = raw.cursor()
    try:
        with driver_errors(connection, statement):
            cursor.executemany(statement, list(rows))
    finally:
        cursor.close()


@contextmanager
def driver_errors(connection: Connection, statement: str) -> Iterator[None]:
    """Raise a driver's own error as SQLAlchemy's (``IntegrityError``...), as a statement run
    through SQLAlchemy would, so the store's error handling sees it the same way."""
    dbapi: Any = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        raise DBAPIError.instance(
            statement, None, exc, dbapi.Error, hide_parameters=True, dialect=connection.dialect
        ) from exc


def add_keyed(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> dict[bytes, int]:
    """Insert ``rows`` into ``table`` (whose ``id`` the database assigns) and return the new ids by
    each row's first value (a unique hash). PostgreSQL takes the ids from the table's sequence
    and COPYs the rows with them; SQLite numbers them after the largest id (this transaction
    holds the write lock); MariaDB returns them from multi-row ``INSERT ... RETURNING``."""
    if not rows:
        return {}
    connection = session.connection()
    dialect = connection.dialect.name
    ids: Iterable[int]
    if dialect == "postgresql":
        ids = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table, "n": len(rows)},
        ).scalars()
    elif dialect == "sqlite":
        last = int(connection.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0)  # noqa: S608
        ids = range(last + 1, last + 1 + len(rows))
    else:
        return _insert_returning(session, table, columns, rows)
    numbered = [(row_id, *row) for row_id, row in zip(ids, rows, strict=True)]
    insert_rows(session, table, ("id", *columns), numbered)
    return {bytes(row[1]): row[0] for row in numbered}


def _insert_returning(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> dict[bytes, int]:
    """MariaDB: multi-row ``INSERT ... RETURNING`` in batches that stay well under the packet."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    raw: Any = connection.connection.driver_connection
    one = f"({', '.join(['%s'] * len(columns))})"
    names = ", ".join(quote(c) for c in columns)
    head = f"INSERT INTO {quote(table)} ({names}) VALUES "  # noqa: S608 (names from our metadata)
    found: dict[bytes, int] = {}
    cursor = raw.cursor()
    try:
        for start in range(0, len(rows), RETURNING_BATCH):
            batch = rows[start : start + RETURNING_BATCH]
            statement = head + ", ".join([one] * len(batch)) + f" RETURNING {quote(columns[0])}, id"
            with driver_errors(connection, head):
                cursor.execute(statement, [value for row in batch for value in row])
            found.update((bytes(h), row_id) for h, row_id in cursor.fetchall())
    finally:
        cursor.close()
    return found


def load_hashes(session: Session, hashes: Collection[bytes]) -> Any:
    """A FROM clause with one column ``h``, one row per hash, to join a query with.

    PostgreSQL: ``unnest`` of one ``bytea[]`` parameter; MariaDB: ``JSON_TABLE`` over one JSON
    array (neither creates a table, so both work in READ ONLY transactions); SQLite: the temporary
    table ``drift_hashes``, emptied and filled, in the current transaction's connection.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # loaded only where it is the backend

        values = bindparam("hashes", list(hashes), type_=postgresql.ARRAY(LargeBinary))
        return func.unnest(values).table_valued("h").render_derived()
    if connection.dialect.name in ("mysql", "mariadb"):
        return _json_table(hashes)
    connection.execute(text(_CREATE_HASHES))
    connection.execute(HASHES.delete())
    insert_rows(session, HASHES.name, ("h",), ((h,) for h in hashes))
    return HASHES


def _json_table(hashes: Collection[bytes]) -> Any:
    """MariaDB: the hashes as rows of ``JSON_TABLE`` over one JSON parameter (READ ONLY safe)."""
    rows = text(
        "SELECT UNHEX(j.x) AS h FROM JSON_TABLE(:hashes, '$[*]' COLUMNS (x CHAR(32) PATH '$')) AS j"
    ).bindparams(hashes=json.dumps([h.hex() for h in hashes]))
    return rows.columns(column("h", LargeBinary)).subquery("wanted")


def ids_by_hash(
    session: Session, table: Any, column: Any, hashes: Collection[bytes], *where: Any
) -> dict[bytes, int]:
    """hash -> ``table.id`` for each of ``hashes`` stored in ``table`` (matching ``where``)."""
    if not hashes:
        return {}
    query = select(column, table.id).where(*where)
    if len(hashes) <= IN_LIST:
        query = query.where(column.in_(list(hashes)))
    else:
        wanted = load_hashes(session, hashes)
        query = query.join(wanted, wanted.c.h == column)
    return {bytes(h): row_id for h, row_id in session.execute(query)}
