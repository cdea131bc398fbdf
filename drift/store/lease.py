"""The run lease: one drift run at a time per database, on SQLite, PostgreSQL and MariaDB alike.

A row in ``lease`` names the holder and carries a fencing token that grows by one on every
acquisition. Why a lease row and not an advisory lock: it behaves the same on all three backends
(Galera and transaction-mode PgBouncer included), and it expires by itself if the holder dies.

- Time is always the **database's** clock, read as UTC (``UTC_TIMESTAMP(6)`` on MariaDB, whatever
  the session time zone; ``strftime('now')`` on SQLite; ``now()`` on PostgreSQL), so hosts with
  skewed clocks still agree on who holds the lease.
- Acquiring is one conditional UPDATE (free, expired, or already ours) whose rowcount says who won.
- A heartbeat thread renews the lease every ttl/3 while the run is alive.
- ``check()`` runs inside the transaction that commits results: a run whose lease was taken over
  (it stalled past its ttl) must not write anything, because another run now owns the store.
- SQLite has one writer: while this process has a transaction open, no renewal can be written (it
  would wait out the busy timeout behind the run's own work and fail). So there the heartbeat
  skips its turn quietly, and the transaction that commits results renews the lease itself, just
  before its commit: a recording that outlasts the ttl still leaves the lease fresh, and a run
  waiting for the write lock meanwhile finds it held, not expired.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from drift.errors import LeaseHeld, LeaseLost, StoreError
from drift.store.database import Database, sqlite_busy
from drift.store.tables import LeaseRow

log = logging.getLogger("drift.lease")

RUN_LEASE = "run"
DEFAULT_TTL = 120.0
WAIT_POLL = 0.5  # seconds between attempts while waiting for a held lease

_NOW_SQL = {
    "sqlite": "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
    "postgresql": "SELECT now()",
    "mysql": "SELECT UTC_TIMESTAMP(6)",
    "mariadb": "SELECT UTC_TIMESTAMP(6)",
}


@dataclass(frozen=True)
class LeaseState:
    """Who holds a lease, as stored (for messages and ``drift status``)."""

    name: str
    holder: str | None
    fencing_token: int
    acquired_at: dt.datetime | None
    expires_at: dt.datetime | None


def make_holder() -> str:
    """``hostname:pid:random``: unique per process start, readable in error messages."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"


def db_now(session: Session) -> dt.datetime:
    """The database clock as an aware UTC datetime (never this host's clock)."""
    dialect = session.get_bind().dialect.name
    raw = session.execute(text(_NOW_SQL[dialect])).scalar_one()
    # SQLite answers text, already in UTC
    value = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    assert isinstance(value, dt.datetime)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def read_lease(session: Session, name: str = RUN_LEASE) -> LeaseState | None:
    row = session.get(LeaseRow, name, populate_existing=True)
    if row is None:
        return None
    return LeaseState(row.name, row.holder, row.fencing_token, row.acquired_at, row.expires_at)


def _ensure_row(database: Database, name: str) -> None:
    """Insert the lease row once; a concurrent insert by another process is fine."""
    try:
        with database.session() as session:
            if session.get(LeaseRow, name) is None:
                session.add(LeaseRow(name=name, holder=None, fencing_token=0))
    except StoreError as exc:
        if not isinstance(exc.__cause__, IntegrityError):
            raise


def try_acquire(database: Database, holder: str, ttl: float, name: str = RUN_LEASE) -> int:
    """Take the lease if it is free, expired or already ours; return the new fencing token.

    Raises LeaseHeld (naming the holder and since when) if someone else holds it. On SQLite a run
    recording a huge schema holds the write lock for longer than the busy timeout, so looking at
    the lease fails with "database is locked": that is LeaseHeld too (wait on; exit 4, not a
    database error).
    """
    try:
        return _take(database, holder, ttl, name)
    except StoreError as exc:
        if isinstance(exc, LeaseHeld) or not sqlite_busy(exc):
            raise
        raise _held_by_a_writer() from exc


def _take(database: Database, holder: str, ttl: float, name: str) -> int:
    _ensure_row(database, name)
    with database.session() as session:
        now = db_now(session)
        result = session.execute(
            update(LeaseRow)
            .where(
                LeaseRow.name == name,
                or_(
                    LeaseRow.holder.is_(None),
                    LeaseRow.expires_at.is_(None),
                    LeaseRow.expires_at < now,
                    LeaseRow.holder == holder,
                ),
            )
            .values(
                holder=holder,
                fencing_token=LeaseRow.fencing_token + 1,
                acquired_at=now,
                expires_at=now + dt.timedelta(seconds=ttl),
            )
            .execution_options(synchronize_session=False)
        )
        state = read_lease(session, name)
    assert state is not None
    if getattr(result, "rowcount", 0) != 1 or state.holder != holder:
        raise LeaseHeld(held_message(state))
    return state.fencing_token


def held_message(state: LeaseState) -> str:
    return (
        f"another drift run holds the lease: holder {state.holder} "
        f"since {_iso(state.acquired_at)}, "
        f"expires {_iso(state.expires_at)}; retry later (a crashed run frees it when it expires)"
    )


def renew(database: Database, holder: str, token: int, ttl: float, name: str = RUN_LEASE) -> bool:
    """Push the expiry out by ``ttl`` from database now; False if the lease is no longer ours."""
    with database.session() as session:
        return extend(session, holder, token, ttl, name)


def extend(session: Session, holder: str, token: int, ttl: float, name: str = RUN_LEASE) -> bool:
    """``renew`` inside a transaction the caller owns (it commits with that transaction).

    The expiry is database now + ``ttl``; on PostgreSQL ``now()`` is the transaction's start, so
    call it only in a short transaction there.
    """
    now = db_now(session)
    result = session.execute(
        update(LeaseRow)
        .where(LeaseRow.name == name, LeaseRow.holder == holder)
        .where(LeaseRow.fencing_token == token)
        .values(expires_at=now + dt.timedelta(seconds=ttl))
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def release(database: Database, holder: str, token: int, name: str = RUN_LEASE) -> bool:
    """Free the lease if it is still ours (the token stays, so it keeps growing)."""
    with database.session() as session:
        result = session.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.holder == holder)
            .where(LeaseRow.fencing_token == token)
            .values(holder=None, expires_at=None)
            .execution_options(synchronize_session=False)
        )
    return getattr(result, "rowcount", 0) == 1


def check_token(session: Session, holder: str, token: int, name: str = RUN_LEASE) -> None:
    """Raise LeaseLost unless (holder, token) still owns the lease.

    Call it inside the transaction that commits results: the row is locked (FOR UPDATE on the
    server backends; SQLite's BEGIN IMMEDIATE already serialises writers), so no takeover can slip
    in between this check and the commit.
    """
    row = session.execute(
        select(LeaseRow.holder, LeaseRow.fencing_token)
        .where(LeaseRow.name == name)
        .with_for_update()
    ).first()
    if row is None or row.holder != holder or row.fencing_token != token:
        current = f"holder {row.holder}, token {row.fencing_token}" if row else "no lease row"
        raise LeaseLost(
            f"this run's lease (token {token}) was taken over ({current}); "
            "its results were not committed"
        )


def _held_by_a_writer() -> LeaseHeld:
    """SQLite's write lock held past the busy timeout, as the lease being held: it is a run
    recording a huge schema (or something else writing that long); either way, retry later."""
    return LeaseHeld(
        "another process holds the database's write lock (a drift run recording?), "
        "so the run lease cannot be taken now; retry later"
    )


def _iso(moment: dt.datetime | None) -> str:
    if moment is None:
        return "unknown"
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class RunLease:
    """``with RunLease(database, holder, ttl=...) as lease:`` holds the run lease for the block.

    ``lease.token`` is the fencing token; ``lease.check(session)`` guards a result commit;
    ``lost`` is set (and ``on_lost`` too, e.g. the run's cancel event) if a renewal finds the
    lease gone, so the run stops early instead of failing only at commit.
    """

    def __init__(
        self,
        database: Database,
        holder: str | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        name: str = RUN_LEASE,
        renew_every: float | None = None,
        heartbeat: bool = True,
        on_lost: threading.Event | None = None,
    ) -> None:
        self.database = database
        self.holder = holder or make_holder()
        self.ttl = ttl
        self.name = name
        self.renew_every = renew_every if renew_every is not None else ttl / 3
        self.heartbeat = heartbeat
        self.lost = threading.Event()
        self._on_lost = on_lost
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._token: int | None = None
        self._single_writer = database.backend == "sqlite"

    @property
    def token(self) -> int:
        if self._token is None:
            raise StoreError("the run lease is not held")
        return self._token

    def acquire(self, wait: float = 0.0) -> int:
        """Take the lease; if another process holds it, retry for up to ``wait`` seconds."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self._token = try_acquire(self.database, self.holder, self.ttl, self.name)
                break
            except LeaseHeld as exc:
                if time.monotonic() >= deadline:
                    raise
                log.info("waiting for the run lease: %s", exc)
                time.sleep(min(WAIT_POLL, max(deadline - time.monotonic(), 0.0)))
        if self.heartbeat:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._beat, name=f"drift-lease-{self.name}", daemon=True
            )
            self._thread.start()
        return self._token

    def check(self, session: Session | None = None) -> None:
        """Raise LeaseLost if the lease was taken over; pass the result-commit session."""
        if session is not None:
            check_token(session, self.holder, self.token, self.name)
            return
        with self.database.session() as own:
            check_token(own, self.holder, self.token, self.name)

    @contextmanager
    def committing(self) -> Iterator[Session]:
        """A transaction whose commit this lease guards. The lease row is locked (``check``) at
        the end, just before the commit, not at the start: a lock held through a long recording
        made the heartbeat's renewals wait behind the run's own work (and expire the lease).

        On SQLite the heartbeat cannot write while this transaction is open, so the lease is
        renewed here, after the check and in the same transaction: the commit that publishes the
        results also leaves the lease fresh, with no moment in between for a takeover.
        """
        with self.database.session() as session:
            yield session
            self.check(session)
            if self._single_writer:
                extend(session, self.holder, self.token, self.ttl, self.name)

    def release(self) -> None:
        """Stop the heartbeat, then free the lease (best effort: it expires anyway)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.ttl)
            self._thread = None
        if self._token is None:
            return
        try:
            release(self.database, self.holder, self._token, self.name)
        except StoreError as exc:
            log.warning("could not release the run lease (it expires by itself): %s", exc)
        finally:
            self._token = None

    def _beat(self) -> None:
        """Renew until released; a renewal that finds the lease gone marks it lost and stops."""
        token = self.token
        while not self._stop.wait(self.renew_every):
            if self._behind_own_transaction():
                log.debug("run lease renewal skipped: this process holds SQLite's write lock")
                continue
            try:
                if renew(self.database, self.holder, token, self.ttl, self.name):
                    continue
            except StoreError as exc:
                if self._behind_own_transaction():
                    # the run opened its transaction while this renewal waited for the lock
                    log.debug("run lease renewal waited behind this process's own transaction")
                else:
                    log.warning("run lease renewal failed, retrying: %s", exc)
                continue
            log.error("the run lease was taken over; this run stops", extra={"event": "lease_lost"})
            self.lost.set()
            if self._on_lost is not None:
                self._on_lost.set()
            return

    def _behind_own_transaction(self) -> bool:
        """On SQLite, whether a renewal now would only wait behind this process's own write
        transaction (which renews the lease itself if it commits results, see ``committing``)."""
        return self._single_writer and self.database.in_transaction

    def __enter__(self) -> RunLease:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
