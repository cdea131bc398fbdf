"""Engine, sessions and migrations: the one place that knows which database drift talks to.

SQLite (the embedded default) upgrades itself on first use. A server database (PostgreSQL, MariaDB)
is never migrated behind the operator's back: drift refuses to run on an old schema and says to run
``drift db upgrade``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from drift.errors import NoDatabase, StoreError
from drift.resources import migrations_dir
from drift.store.revision import (
    SQLITE_BUSY_TIMEOUT,
    busy_timeout_pragma,
    read_only_sqlite,
    schema_head,
    set_read_only,
)

if TYPE_CHECKING:  # Alembic loads when the schema is checked, not for every import
    from alembic.config import Config as AlembicConfig

_DRIVER_HINT = {
    "postgresql": "pip install 'drift-schema[postgres]'",
    "mysql": "pip install 'drift-schema[mysql]'",
}


def make_engine(
    url: str, *, read_only: bool = False, busy_timeout: float = SQLITE_BUSY_TIMEOUT
) -> Engine:
    """An engine with the hygiene each backend needs (see reliability checklist DB-03, DB-07).

    ``read_only``: for commands that only read. SQLite opens the file with ``mode=ro`` (so a
    read-only file works), PostgreSQL and MariaDB run every transaction READ ONLY.
    ``busy_timeout``: seconds a SQLite connection waits for another's write lock (see
    :class:`Database`); ignored by the server backends.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"database url is not valid: {exc}") from None
    in_memory = parsed.database in (None, "", ":memory:")
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if parsed.get_backend_name() != "sqlite":
        kwargs["pool_recycle"] = 1800
    if read_only and parsed.get_backend_name() == "sqlite" and not in_memory:
        kwargs["creator"] = read_only_sqlite(Path(str(parsed.database)))
        kwargs["poolclass"] = NullPool
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        hint = _DRIVER_HINT.get(parsed.get_backend_name(), "install the database driver")
        raise StoreError(f"no driver for {parsed.drivername}: {exc}; {hint}") from None
    if engine.dialect.name == "sqlite":
        _sqlite_hygiene(engine, in_memory=in_memory, read_only=read_only, busy=busy_timeout)
    elif read_only:
        _server_read_only(engine)
    return engine


def _sqlite_hygiene(engine: Engine, *, in_memory: bool, read_only: bool, busy: float) -> None:
    """pysqlite defers BEGIN and ignores foreign keys; take the write lock up front instead
    (a read-only connection changes nothing and takes no write lock), waiting ``busy`` seconds
    for another connection's."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(busy_timeout_pragma(busy))
        if not in_memory and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        deferred = read_only or connection.get_execution_options().get(_READING, False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


#: Execution option of :meth:`Database.reading` sessions: on SQLite a plain (deferred) BEGIN.
_READING = "drift_reading"


def _server_read_only(engine: Engine) -> None:
    """Every transaction of this engine is READ ONLY (PostgreSQL and MariaDB alike)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        set_read_only(dbapi_connection, engine.dialect.name)


class Database:
    """A database drift records into; ``session()`` is one transaction.

    ``busy_timeout``: on SQLite, the seconds a connection waits for another connection's write
    lock before failing with "database is locked" (30 s by default, for every user: a second run
    started while one records gives up after that and reads it as the lease being held). It is a
    seam for tests, which hold the lock past a short timeout instead of sleeping out 30 s.
    """

    def __init__(
        self,
        url: str,
        *,
        auto_upgrade_sqlite: bool = True,
        read_only: bool = False,
        busy_timeout: float = SQLITE_BUSY_TIMEOUT,
    ) -> None:
        self.url = url
        self.read_only = read_only
        self.engine = make_engine(url, read_only=read_only, busy_timeout=busy_timeout)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readings = sessionmaker(
            self.engine.execution_options(**{_READING: True}), expire_on_commit=False
        )
        self._auto_upgrade = auto_upgrade_sqlite and not read_only
        self._checked = False
        self._open_transactions = 0
        self._open_lock = threading.Lock()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def in_transaction(self) -> bool:
        """Whether a thread of this process has a ``session()`` or ``scratch()`` open (or is
        opening one). On SQLite every one of them holds or waits for the single write lock
        (BEGIN IMMEDIATE), so another write from this process cannot start until it ends: the
        run lease's heartbeat asks this instead of waiting out the busy timeout behind it."""
        return self._open_transactions > 0

    @contextmanager
    def _counted(self) -> Iterator[None]:
        with self._open_lock:
            self._open_transactions += 1
        try:
            yield
        finally:
            with self._open_lock:
                self._open_transactions -= 1

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends; on error rolled back, nothing kept."""
        self.ensure_schema()
        try:
            with self._counted(), self._sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"database error ({self.backend}): {_short(exc)}") from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for reads only, always rolled back. On SQLite it begins deferred and
        takes no write lock (a WAL reader sees one consistent state while others write), so a
        long read, such as composing a digest of a million items, never holds up the run's own
        lease renewals or another process; it is not counted by :attr:`in_transaction`. On
        PostgreSQL and MariaDB it is an ordinary transaction."""
        with self._rolled_back(self._readings) as session:
            yield session

    @contextmanager
    def scratch(self) -> Iterator[Session]:
        """A transaction that is always rolled back: for dry runs that must leave no trace."""
        with self._counted(), self._rolled_back(self._sessions) as session:
            yield session

    @contextmanager
    def _rolled_back(self, sessions: sessionmaker[Session]) -> Iterator[Session]:
        self.ensure_schema()
        try:
            with sessions() as session:
                session.begin()
                try:
                    yield session
                finally:
                    session.rollback()
        except SQLAlchemyError as exc:
            raise StoreError(f"database error ({self.backend}): {_short(exc)}") from exc

    def alembic_config(self) -> AlembicConfig:
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(migrations_dir()))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def head(self) -> str:
        return schema_head()

    def current(self) -> str | None:
        """The revision the database is at: one SELECT of ``alembic_version``; Alembic itself
        (slow to import) only answers when that table is missing or holds several rows."""
        self._require_file()
        reader = self.engine.execution_options(**{_READING: True})  # no write lock on SQLite
        try:
            with reader.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            if len(rows) == 1:
                return str(rows[0][0])
        except SQLAlchemyError:
            pass  # no such table yet (or unreachable): Alembic tells which
        from alembic.runtime.migration import MigrationContext

        try:
            with reader.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot reach the database ({self.backend}): {_short(exc)}") from exc

    def _require_file(self) -> None:
        """A command that only reads opens SQLite with ``mode=ro``, which cannot create the file:
        a missing one means nothing was recorded there yet, which it says (and creates nothing)."""
        path = self.engine.url.database
        if not (self.read_only and self.backend == "sqlite") or path in (None, "", ":memory:"):
            return
        if not Path(path).exists():
            raise NoDatabase(
                f"no database at {path}: drift has recorded nothing there yet; run `drift run` "
                "(or `drift snapshot`) first, or check [database] url and DRIFT_DATABASE_URL",
                path=path,
            )

    def upgrade(self) -> tuple[str | None, str]:
        """Upgrade to head; returns (before, after) revisions."""
        from alembic import command

        before = self.current()
        cfg = self.alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise StoreError(f"migration failed ({self.backend}): {_short(exc)}") from exc
        self._checked = True
        return before, self.head()

    def ensure_schema(self) -> None:
        if self._checked:
            return
        current, head = self.current(), self.head()
        if current != head:
            if self.backend == "sqlite" and self._auto_upgrade:
                self.upgrade()
            else:
                raise StoreError(
                    f"the database schema is at {current or 'empty'}, this drift needs {head}; "
                    "run `drift db upgrade`"
                )
        self._checked = True

    def dispose(self) -> None:
        self.engine.dispose()


SQLITE_BUSY = 5


def sqlite_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (a StoreError, or what it wraps) is SQLite's "database is locked": another
    connection held the write lock for the whole busy timeout. Not broken, only busy: a run
    recording a huge schema holds the lock that long."""
    seen: BaseException | None = exc
    while seen is not None:
        driver_error = getattr(seen, "orig", None) or seen
        if isinstance(driver_error, sqlite3.OperationalError):
            code = getattr(driver_error, "sqlite_errorcode", None)
            return code is not None and code & 0xFF == SQLITE_BUSY
        seen = seen.__cause__
    return False


def _short(exc: BaseException) -> str:
    """First line of a driver error, without the SQL statement or its parameters."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0][:300] if str(orig).strip() else type(orig).__name__
