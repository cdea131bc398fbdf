"""The run lease on every backend: one winner, expiry and takeover, fencing, renewal."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from drift.errors import LeaseHeld, LeaseLost
from drift.store import lease as leases
from drift.store.database import Database
from drift.store.lease import RunLease
from tests.conftest import _empty


def test_db_now_is_utc_on_every_backend(database: Database) -> None:
    with database.session() as session:
        now = leases.db_now(session)
    assert now.tzinfo is not None
    assert abs((now - dt.datetime.now(dt.UTC)).total_seconds()) < 5


def test_a_held_lease_is_refused_with_holder_and_since(database: Database) -> None:
    with RunLease(database, "host-a:1:aa", ttl=30, heartbeat=False) as first:
        assert first.token == 1
        with pytest.raises(LeaseHeld) as info:
            RunLease(database, "host-b:2:bb", ttl=30).acquire()
    message = str(info.value)
    assert "holder host-a:1:aa since 20" in message and "Z, expires" in message
    assert "retry later" in message


def test_release_frees_the_lease_and_tokens_keep_growing(database: Database) -> None:
    with RunLease(database, "a", ttl=30) as first:
        token = first.token
    with RunLease(database, "b", ttl=30) as second:
        assert second.token == token + 1
    with database.session() as session:
        state = leases.read_lease(session)
    assert state is not None and state.holder is None and state.fencing_token == token + 1


def test_threads_race_and_exactly_one_wins(database: Database) -> None:
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def contender(index: int) -> None:
        barrier.wait()
        try:
            leases.try_acquire(database, f"thread-{index}", ttl=30)
            outcomes.append("won")
        except LeaseHeld:
            outcomes.append("held")

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["held"] * 7 + ["won"]


def test_an_expired_lease_is_taken_over_and_the_old_token_is_fenced(database: Database) -> None:
    old = RunLease(database, "stalled", ttl=0.3, heartbeat=False)
    old.acquire()
    time.sleep(0.5)
    with RunLease(database, "fresh", ttl=30, heartbeat=False) as new:
        assert new.token == old.token + 1
        with pytest.raises(LeaseLost, match="taken over"):
            old.check()
        with database.session() as session, pytest.raises(LeaseLost):
            old.check(session)
        old.release()  # must not free the new holder's lease
        new.check()
    with database.session() as session:
        state = leases.read_lease(session)
    assert state is not None and state.holder is None


def test_heartbeat_keeps_the_lease_alive(database: Database) -> None:
    with RunLease(database, "alive", ttl=0.6, renew_every=0.1) as held:
        time.sleep(1.0)
        with pytest.raises(LeaseHeld):
            leases.try_acquire(database, "intruder", ttl=30)
        held.check()
        assert not held.lost.is_set()


def test_heartbeat_notices_a_takeover_and_sets_the_cancel_event(database: Database) -> None:
    cancel = threading.Event()
    slow = RunLease(database, "slow", ttl=0.2, renew_every=0.5, on_lost=cancel)
    slow.acquire()
    time.sleep(0.3)
    leases.try_acquire(database, "taker", ttl=30)
    assert cancel.wait(2.0)
    assert slow.lost.is_set()
    slow.release()


CONTENDER = textwrap.dedent(
    """
    import sys, time
    from drift.errors import LeaseHeld
    from drift.store.database import Database
    from drift.store.lease import try_acquire
    db = Database(sys.argv[1])
    db.ensure_schema()
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
    try:
        try_acquire(db, sys.argv[3], ttl=30)
        print("won")
    except LeaseHeld:
        print("held")
    """
)


@pytest.fixture(params=["sqlite", "postgresql"])
def process_db_url(
    request: pytest.FixtureRequest, _migrated: dict[str, str], tmp_path: Path
) -> str:
    """SQLite and one server backend: processes are slow, the thread race covers MariaDB."""
    if request.param not in _migrated:
        pytest.skip(f"{request.param} is not in DRIFT_TEST_BACKENDS")
    url = _migrated[request.param]
    if request.param == "sqlite":
        copy = tmp_path / "race.db"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    _empty(url)
    return url


def test_two_processes_race_and_exactly_one_wins(process_db_url: str) -> None:
    start_at = str(time.time() + 1.5)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTENDER, process_db_url, start_at, f"proc-{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=30) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert sorted(out.strip() for out, _ in outputs) == ["held", "won"]


def _expiry(db: Database) -> dt.datetime:
    with db.session() as session:
        state = leases.read_lease(session)
    assert state is not None and state.expires_at is not None
    return state.expires_at


def test_the_lease_is_renewed_while_a_long_recording_transaction_is_open(
    database: Database,
) -> None:
    """#15.2: renewal runs on its own connection and never waits behind the run's own work."""
    if database.backend == "sqlite":
        pytest.skip(
            "SQLite has a single writer: nothing can renew while the recording is open; its "
            "commit renews the lease instead (test_sqlite_lease_during_recording.py)"
        )
    from drift.model import Item, Provenance, Schema, Scope
    from drift.store.record import record_snapshot

    schema = Schema.build("plan", Provenance.DOCUMENTED, [Item.of(Scope.EVENT, "Signup")])
    observer = Database(database.url)
    with RunLease(database, ttl=3.0, renew_every=0.2) as lease:
        before = _expiry(observer)
        with lease.committing() as session:
            record_snapshot(
                session, schema, source_type="jsonschema", taken_at=leases.db_now(session)
            )
            time.sleep(1.0)  # the recording transaction stays open
            during = _expiry(observer)
        assert during > before and not lease.lost.is_set()
    observer.dispose()


def test_the_lease_is_renewed_while_a_long_digest_is_composed(database: Database) -> None:
    """Composing the digest only reads (``Database.reading``): on SQLite too it takes no write
    lock, so the heartbeat renews meanwhile instead of waiting (a 1M-item compose took 26 s),
    and another process can write."""
    from drift.model import Item, Provenance, Schema, Scope
    from drift.store.queries import resolve_ref, state_at
    from drift.store.record import record_snapshot

    schema = Schema.build("plan", Provenance.DOCUMENTED, [Item.of(Scope.EVENT, "Signup")])
    with database.session() as session:
        record_snapshot(session, schema, source_type="jsonschema", taken_at=leases.db_now(session))
    observer = Database(database.url, busy_timeout=1.0)  # a regression fails in 1 s, not 30
    with RunLease(database, ttl=3.0, renew_every=0.2) as lease:
        before = _expiry(observer)
        with database.reading() as session:
            snapshot_id = resolve_ref(session, "plan", "latest")
            assert snapshot_id is not None and len(state_at(session, snapshot_id).items) == 1
            time.sleep(1.0)  # a long compose
            during = _expiry(observer)
            with observer.session() as other:  # another process writes meanwhile
                other.execute(text("DELETE FROM run"))
        assert during > before and not lease.lost.is_set()
    observer.dispose()
