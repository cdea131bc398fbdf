"""Retention on every backend: kept history answers exactly as before, first-seen dates survive."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from drift.cli import cli
from drift.model import Item, Provenance, Schema, Scope
from drift.store import queries, runs
from drift.store.database import Database
from drift.store.prune import PruneCounts, prune
from drift.store.record import record_snapshot
from drift.store.tables import (
    DigestRow,
    DigestSourceRow,
    ItemKeyRow,
    ItemRow,
    OutboxRow,
    RunRow,
    SnapshotRow,
)

T0 = dt.datetime(2027, 1, 1, 7, 0, tzinfo=dt.UTC)
DAYS = 12
CUTOFF = T0 + dt.timedelta(days=6, hours=1)


def day_schemas(source: str, seed: int) -> list[Schema]:
    """A random walk: properties appear, change type, vanish and come back."""
    rng = random.Random(seed)
    pool = [(f"Event{e}", f"prop{p}") for e in range(3) for p in range(6)]
    present = {key: "string" for key in pool[:8]}
    out = []
    for day in range(DAYS):
        for key in rng.sample(pool, 4 if day % 3 == 0 else 0):  # quiet days change nothing
            roll = rng.random()
            if roll < 0.3:
                present.pop(key, None)
            else:
                present[key] = rng.choice(["string", "integer", "boolean"])
        items = [Item.of(Scope.EVENT, e) for e in sorted({e for e, _ in present})]
        items += [Item.of(Scope.EVENT_PROPERTY, e, p, type=t) for (e, p), t in present.items()]
        out.append(Schema.build(source, Provenance.DOCUMENTED, items))
    return out


def seed_history(db: Database) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {"a": [], "b": []}
    walks = {name: day_schemas(name, seed) for name, seed in (("a", 1), ("b", 2))}
    for day in range(DAYS):
        at = T0 + dt.timedelta(days=day)
        with db.session() as session:
            run_id = runs.start_run(
                session, trigger="schedule", holder="h", fencing_token=day, now=at
            )
            coverage = {}
            for name, walk in walks.items():
                rec = record_snapshot(session, walk[day], source_type="jsonschema", taken_at=at)
                ids[name].append(rec.snapshot_id)
                coverage[rec.source_id] = rec.snapshot_id
                runs.record_source(session, run_id, name, "read", snapshot_id=rec.snapshot_id)
            runs.finish_run(session, run_id, status="completed", exit_code=0, now=at)
            if day % 3 == 0:
                add_digest(session, day, at, coverage)
    return ids


def add_digest(session: Session, day: int, at: dt.datetime, coverage: dict[int, int]) -> None:
    digest = DigestRow(digest_key=f"d{day}", created_at=at, rules_hash="r", subject="s")
    session.add(digest)
    session.flush()
    for source_id, snapshot_id in coverage.items():
        session.add(
            DigestSourceRow(digest_id=digest.id, source_id=source_id, snapshot_id=snapshot_id)
        )
    session.add(
        OutboxRow(
            digest_id=digest.id, channel="file", idempotency_key=f"k{day}",
            status="pending" if day == 3 else "sent", attempts=1, created_at=at,
        )
    )  # fmt: skip


def states(db: Database, snapshot_ids: list[int]) -> dict[int, str]:
    with db.session() as session:
        return {sid: queries.state_at(session, sid).content_hash for sid in snapshot_ids}


def first_seen(db: Database) -> dict[tuple[int, bytes], dt.datetime]:
    with db.session() as session:
        rows = session.execute(
            select(ItemKeyRow.source_id, ItemKeyRow.key_hash, func.min(SnapshotRow.taken_at))
            .join(ItemRow, ItemRow.key_id == ItemKeyRow.id)
            .join(SnapshotRow, SnapshotRow.id == ItemRow.valid_from)
            .group_by(ItemKeyRow.source_id, ItemKeyRow.key_hash)
        )
        return {(s, bytes(k)): seen for s, k, seen in rows}


def still_present(db: Database, snapshot_ids: list[int]) -> set[tuple[int, bytes]]:
    with db.session() as session:
        rows = session.execute(
            select(ItemKeyRow.source_id, ItemKeyRow.key_hash)
            .join(ItemRow, ItemRow.key_id == ItemKeyRow.id)
            .where(ItemRow.valid_to.is_(None), ItemRow.source_id.is_not(None))
        )
        return {(s, bytes(k)) for s, k in rows}


def count(db: Database, table: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_pruning_keeps_the_kept_period_and_first_seen_dates(database: Database) -> None:
    ids = seed_history(database)
    kept_period = [sid for walk in ids.values() for sid in walk[6:]]
    before_states = states(database, kept_period)
    before_seen = first_seen(database)
    present = still_present(database, kept_period)

    with database.scratch() as session:
        dry = prune(session, CUTOFF)
    assert count(database, SnapshotRow) == 2 * DAYS  # the dry run changed nothing

    with database.session() as session:
        counts = prune(session, CUTOFF)
    assert counts == dry
    assert (counts.runs, counts.run_sources) == (7, 14)
    assert counts.items > 0 and counts.snapshots > 0 and counts.digests == 2
    assert states(database, kept_period) == before_states
    after_seen = first_seen(database)
    assert {k: after_seen[k] for k in present} == {k: before_seen[k] for k in present}
    assert any(before_seen[k] < CUTOFF for k in present)  # the case that matters occurred

    with database.session() as session:
        snapshots = set(session.scalars(select(SnapshotRow.id)))
        digests = set(session.scalars(select(DigestRow.digest_key)))
        items_from = set(session.scalars(select(ItemRow.valid_from)))
        items_to = set(
            session.scalars(select(ItemRow.valid_to).where(ItemRow.valid_to.is_not(None)))
        )
        kept_runs = session.scalar(select(func.count()).select_from(RunRow))
    assert set(kept_period) <= snapshots and items_from | items_to <= snapshots
    assert digests == {"d3", "d9"}  # d0, d6 delivered and old; d3 has a pending delivery
    assert kept_runs == 5

    with database.session() as session:
        assert prune(session, CUTOFF) == PruneCounts()  # nothing left to remove


def finished_runs(db: Database, first: dt.datetime, days: int = 3) -> None:
    """A finished run a day from ``first``."""
    with db.session() as session:
        for day in range(days):
            at = first + dt.timedelta(days=day)
            run_id = runs.start_run(session, trigger="cli", holder="h", fencing_token=1, now=at)
            runs.finish_run(session, run_id, status="completed", exit_code=0)


def test_prune_command_reports_counts_and_dry_run_keeps_everything(
    tmp_path: Path, db_url: str
) -> None:
    db = Database(db_url)
    finished_runs(db, T0 - dt.timedelta(days=400))
    path = tmp_path / "drift.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n')
    args = ["--config", str(path), "prune", "--older-than", "30", "--format", "json"]
    dry = CliRunner().invoke(cli, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert '"runs": 2' in dry.stdout and count(db, RunRow) == 3
    real = CliRunner().invoke(cli, args)
    assert real.exit_code == 0, real.output
    assert '"runs": 2' in real.stdout and count(db, RunRow) == 1
    db.dispose()


#: A trigger that makes every delete of a ``run`` row take a second, so the prune is still deleting
#: when another run takes its lease over. Created on the session's shared server database:
#: FAST_DELETE drops it again, or every later test deleting runs there would sleep too.
SLOW_DELETE = {
    "postgresql": (
        "CREATE FUNCTION slow_delete() RETURNS trigger AS $$ "
        "BEGIN PERFORM pg_sleep(1.0); RETURN OLD; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER slow_delete BEFORE DELETE ON run "
        "FOR EACH ROW EXECUTE FUNCTION slow_delete()",
    ),
    "mysql": (
        "CREATE TRIGGER slow_delete BEFORE DELETE ON run FOR EACH ROW SET @slept = SLEEP(1.0)",
    ),
}
FAST_DELETE = {
    "postgresql": ("DROP TRIGGER slow_delete ON run", "DROP FUNCTION slow_delete()"),
    "mysql": ("DROP TRIGGER slow_delete",),
}
LEASE_WAIT = 30.0  # seconds the thief waits for the prune to take the lease (normally well < 1)


def _run_statements(db: Database, statements: tuple[str, ...]) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def _take_over_once_held(db: Database, failures: list[str]) -> None:
    """Wait until the prune holds the run lease, then take it over as another run would: a fixed
    sleep raced the prune on loaded cores and updated no row. Held means a holder is set: the
    prune first inserts the row empty, and taking over that placeholder would be no takeover."""
    deadline = time.monotonic() + LEASE_WAIT
    while True:
        with db.engine.begin() as conn:
            taken = conn.execute(
                text(
                    "UPDATE lease SET holder = 'other-host:1:aa', "
                    "fencing_token = fencing_token + 1 "
                    "WHERE name = 'run' AND holder IS NOT NULL"
                )
            ).rowcount
        if taken == 1:
            return
        if time.monotonic() >= deadline:
            failures.append(f"the prune took no run lease within {LEASE_WAIT} s")
            return
        time.sleep(0.02)


def test_a_prune_whose_lease_was_taken_over_commits_nothing(tmp_path: Path, db_url: str) -> None:
    """`drift prune` deletes under the run lease and, like every result commit, checks its
    fencing token before committing: a prune that stalled past its lease while another run took
    over must not delete what that run now relies on. (A database trigger slows the deletes; on
    SQLite the prune holds the one write lock, so nobody can take over meanwhile.)"""
    db = Database(db_url)
    if db.backend == "sqlite":
        pytest.skip("SQLite's single writer: no takeover can happen during the prune")
    finished_runs(db, dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    dialect = db.engine.dialect.name
    _run_statements(db, SLOW_DELETE[dialect])
    try:
        failures: list[str] = []
        thief = threading.Thread(target=_take_over_once_held, args=(db, failures))
        thief.start()
        path = tmp_path / "drift.toml"
        path.write_text(f'[database]\nurl = "{db_url}"\n')
        result = CliRunner().invoke(cli, ["--config", str(path), "prune", "--older-than", "30"])
        thief.join()
    finally:
        _run_statements(db, FAST_DELETE[dialect])
    assert not failures, failures
    assert result.exit_code != 0, result.output
    assert "taken over" in result.output
    assert count(db, RunRow) == 3  # nothing deleted
    db.dispose()
