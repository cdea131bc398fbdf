"""#13 item 7, on SQLite: a huge recording holds the database's one write lock for minutes, so the
run's own lease renewals fail ("database is locked", warned every renewal) and the lease expires
in the database while the run still works; whoever waits for the lock when the recording commits
can take it over. A run must keep its lease through its own long recording, quietly.

They failed before the lease learnt it (drift/store/lease.py renewed on a second connection, which
waited behind the run's own write transaction). Now the commit renews the lease, and the heartbeat
skips its turn while its own process holds the write lock; a lock held by someone else still warns.

SQLite's busy timeout is 30 s for users; these databases wait BUSY_TIMEOUT seconds instead, and the
tests hold the lock for LONGER_THAN_BUSY, so each takes seconds rather than half a minute while
meeting the same "database is locked" at the same point.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from drift.errors import LeaseHeld
from drift.model import Item, Provenance, Schema, Scope
from drift.store import lease as leases
from drift.store.database import Database
from drift.store.lease import RunLease
from drift.store.record import record_snapshot

SCHEMA = Schema.build("plan", Provenance.DOCUMENTED, [Item.of(Scope.EVENT, "Signup")])
BUSY_TIMEOUT = 2.0  # seconds a connection here waits for the write lock (users: 30)
LONGER_THAN_BUSY = BUSY_TIMEOUT + 2.0  # a lock held this long outlasts a wait that began meanwhile


pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def sqlite_db(db_url: str) -> Iterator[Database]:
    """A migrated SQLite database (the conftest copies its template: no migrations per test)."""
    database = Database(db_url, busy_timeout=BUSY_TIMEOUT)
    yield database
    database.dispose()


def _renewal_complaints(caplog: pytest.LogCaptureFixture) -> list[str]:
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return [m for m in messages if "renewal failed" in m or "locked" in m]


def _record_slowly(lease: RunLease, seconds: float) -> None:
    """A recording transaction that stays open (holding the write lock) for ``seconds``."""
    with lease.committing() as session:
        record_snapshot(session, SCHEMA, source_type="jsonschema", taken_at=leases.db_now(session))
        time.sleep(seconds)


def test_a_run_waiting_for_the_lock_cannot_take_over_when_a_long_recording_commits(
    sqlite_db: Database,
) -> None:
    """The recording outlasts the lease's ttl; nothing can renew meanwhile (the run's heartbeat
    could not write either), so the commit itself must leave the lease fresh. The competitor
    waits for the lock with the users' timeout (30 s): it must get in after the commit, not give
    up first."""
    other = Database(sqlite_db.url)
    taken: list[object] = []
    with RunLease(sqlite_db, ttl=1.0, heartbeat=False) as lease:

        def compete() -> None:
            time.sleep(1.5)  # the lease has expired by the database's clock; the lock is held
            try:
                taken.append(leases.try_acquire(other, "other-host:1", 60.0))
            except LeaseHeld as exc:
                taken.append(exc)

        competitor = threading.Thread(target=compete)
        competitor.start()
        _record_slowly(lease, 2.5)
        competitor.join(timeout=40)
        assert isinstance(taken[0], LeaseHeld), "another run took the lease over"
    other.dispose()


def _renewal_complaints_while(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture, hold_lock: Callable[[RunLease], None]
) -> list[str]:
    """Warnings about renewals while ``hold_lock`` keeps the write lock past the busy timeout,
    under a run lease renewed every 0.5 s; the lease must survive whoever holds the lock."""
    caplog.set_level(logging.WARNING, logger="drift")
    with RunLease(sqlite_db, ttl=120.0, renew_every=0.5) as lease:
        hold_lock(lease)
        assert not lease.lost.is_set()
    return _renewal_complaints(caplog)


def _hold_in_session(database: Database) -> None:
    """A plain session (no result commit) that takes the write lock and keeps it."""
    with database.session() as session:
        leases.read_lease(session)
        time.sleep(LONGER_THAN_BUSY)


def test_a_recording_longer_than_the_lock_timeout_warns_nothing_and_keeps_the_lease(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Longer than SQLite's busy timeout: every renewal meanwhile failed with "database is
    locked" and was logged as a warning."""
    complaints = _renewal_complaints_while(
        sqlite_db, caplog, lambda lease: _record_slowly(lease, LONGER_THAN_BUSY)
    )
    assert not complaints


def test_a_long_transaction_that_commits_no_results_warns_nothing_either(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Composing the digest (or pruning) holds the write lock as long, in a plain session."""
    assert not _renewal_complaints_while(sqlite_db, caplog, lambda _: _hold_in_session(sqlite_db))


def test_a_write_lock_held_by_someone_else_still_warns(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The quiet skip is for the run's own transaction only: another connection (here another
    Database, as another process would be) holding the lock past the busy timeout is a real
    renewal failure, and says so."""
    other = Database(sqlite_db.url, busy_timeout=BUSY_TIMEOUT)
    assert _renewal_complaints_while(sqlite_db, caplog, lambda _: _hold_in_session(other))
    other.dispose()


def test_a_run_waiting_for_the_lease_keeps_waiting_through_a_recording_longer_than_the_lock_timeout(
    sqlite_db: Database,
) -> None:
    """`drift snapshot --wait` while a run records: the write lock, held past SQLite's busy
    timeout, is the lease being busy, not an error; the waiter gets the lease once the run
    releases it (it failed with "database is locked" when the timeout ran out). Without a wait
    (`drift run` from cron), the same is "another run holds the lease" (exit 4), not a database
    error."""
    other = Database(sqlite_db.url, busy_timeout=BUSY_TIMEOUT)
    outcome: dict[str, object] = {}

    def take_the_lease(holder: str, wait: float) -> None:
        waiter = RunLease(other, holder, ttl=60.0, heartbeat=False)
        try:
            outcome[holder] = waiter.acquire(wait=wait)
            waiter.release()
        except Exception as exc:  # the test reports what the waiter met
            outcome[holder] = exc

    waiters = [
        threading.Thread(target=take_the_lease, args=("patient:1", 90.0)),
        threading.Thread(target=take_the_lease, args=("impatient:2", 0.0)),
    ]
    with RunLease(sqlite_db, ttl=120.0) as lease:
        with lease.committing() as session:
            record_snapshot(
                session, SCHEMA, source_type="jsonschema", taken_at=leases.db_now(session)
            )
            for waiter in waiters:  # the write lock is held from here
                waiter.start()
            time.sleep(LONGER_THAN_BUSY)
        held_token = lease.token
    for waiter in waiters:
        waiter.join(timeout=120)
    assert outcome["patient:1"] == held_token + 1, outcome
    impatient = outcome["impatient:2"]
    assert isinstance(impatient, LeaseHeld), outcome
    assert "write lock" in str(impatient) and "retry later" in str(impatient)
    other.dispose()
