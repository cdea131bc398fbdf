"""SQLite's busy timeout: how long a connection waits for another's write lock before "database is
locked". Users get 30 s (a second run started during a long recording gives up after that and
reports the lease as held); tests pass ``Database(..., busy_timeout=...)`` to wait less."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from drift.errors import StoreError
from drift.store.database import Database, sqlite_busy


@pytest.fixture
def sqlite_url(db_url: str) -> str:
    """A migrated SQLite database: the conftest copies its template, no migrations per test."""
    return db_url


pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _busy_timeout_ms(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text("PRAGMA busy_timeout")).scalar_one())


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_default_database_waits_30_seconds_for_the_write_lock(
    sqlite_url: str, read_only: bool
) -> None:
    database = Database(sqlite_url, read_only=read_only)
    assert _busy_timeout_ms(database) == 30_000
    database.dispose()


def test_a_database_can_be_told_to_wait_less(sqlite_url: str) -> None:
    database = Database(sqlite_url, busy_timeout=1.5)
    assert _busy_timeout_ms(database) == 1_500
    database.dispose()


def test_a_short_busy_timeout_gives_up_after_it_not_after_30_seconds(sqlite_url: str) -> None:
    """The pragma is what governs the wait: a session behind another connection's write lock
    fails with SQLite's "database is locked" once its own timeout runs out."""
    holder, waiter = Database(sqlite_url), Database(sqlite_url, busy_timeout=1.0)
    with holder.session() as held:
        held.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held from here
        started = time.monotonic()
        with pytest.raises(StoreError) as caught, waiter.session() as waiting:
            waiting.execute(text("SELECT 1"))
        waited = time.monotonic() - started
    assert sqlite_busy(caught.value)
    assert 0.9 <= waited < 10.0, waited
    holder.dispose()
    waiter.dispose()
