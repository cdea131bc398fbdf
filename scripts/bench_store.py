#!/usr/bin/env python3
"""Benchmark: a year of daily snapshots of a 100,000-property schema into SQLite.

Records 365 daily snapshots with 0.1% daily churn (scripts/synthetic.py), then prints:
- time per snapshot (first, median, slowest) and the time to record an unchanged schema,
- the database size after the year,
- the size of ONE snapshot stored as plain JSON, for comparison, and the ratio.

- ``drift prune`` of everything older than the last ``--keep`` days (default: half of them), once
  a digest covers the last snapshot: its time and the rows it removes, as a dry run (the same
  work, rolled back).

Targets: the year of history under 2x one full JSON copy; an unchanged 100k schema recorded well
under 2 s. Usage: .venv/bin/python scripts/bench_store.py [--days 365] [--size 100000]
[--churn 0.001] [--keep DAYS] [--backend sqlite|postgresql|mariadb] (server backends: a scratch
database on the local server, dropped afterwards; ``--days 2`` gives the first, unchanged and
one-day-of-churn figures quickly; ``--days 40 --churn 0.01`` about 125k items for prune).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import daily_schemas

from drift.model import Item, RenderedDigest, Schema
from drift.store import outbox
from drift.store.database import Database
from drift.store.prune import PruneCounts, prune
from drift.store.record import record_snapshot
from drift.store.tables import ItemRow, SnapshotRow


def json_copy(schema: Schema) -> bytes:
    """One snapshot as a plain JSON document: what a naive daily copy would store."""
    items = [
        {"scope": str(i.scope), "event": i.event, "name": i.name, "definition": i.definition}
        for i in schema.items
    ]
    return json.dumps({"source": schema.source, "items": items}, ensure_ascii=False).encode()


def fresh(schema: Schema) -> Schema:
    """The same content in new objects, as a new run's fetch gives it: nothing hashed yet."""
    items = (Item(i.scope, i.event, i.name, i.definition, i.vendor_since) for i in schema.items)
    return Schema(schema.source, schema.provenance, tuple(items))


SERVERS = {
    "postgresql": "postgresql+psycopg://root@127.0.0.1:5432/postgres",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/mysql",
}


@contextmanager
def scratch_url(backend: str, tmp: str) -> Iterator[str]:
    """A fresh database on ``backend``: a file in ``tmp``, or a scratch server database."""
    if backend == "sqlite":
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    name = f"drift_bench_{uuid.uuid4().hex[:8]}"
    quoted = f'"{name}"' if backend == "postgresql" else f"`{name}`"
    admin = create_engine(SERVERS[backend], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {quoted}"))
    try:
        yield SERVERS[backend].rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {quoted}"))
        admin.dispose()


def prune_dry_run(db: Database, last: dt.datetime, keep: int) -> tuple[PruneCounts, float, int]:
    """Prune what is older than ``keep`` days before ``last`` in a rolled-back transaction, once a
    digest covers the newest snapshot (prune keeps everything a digest has not reported yet)."""
    with db.session() as session:
        newest = session.scalar(select(func.max(SnapshotRow.id)))
        items = int(session.scalar(select(func.count()).select_from(ItemRow)) or 0)
        digest = RenderedDigest("bench", "bench", "", "", "", "{}", "{}", "")
        outbox.commit_digest(
            session, digest, run_id=None, rules_hash="", findings_json="{}",
            coverage={"bench": newest}, channels=[], now=last,
        )  # fmt: skip
    start = time.perf_counter()
    with db.scratch() as session:
        counts = prune(session, last - dt.timedelta(days=keep))
    return counts, time.perf_counter() - start, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--churn", type=float, default=0.001, help="share changed per day")
    parser.add_argument("--keep", type=int, help="days prune keeps (default: half of --days)")
    parser.add_argument("--backend", choices=["sqlite", *SERVERS], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch_url(args.backend, tmp) as url:
        db = Database(url)
        db.upgrade()
        times: list[float] = []
        last: Schema | None = None
        for taken_at, schema in daily_schemas(args.days, args.size, args.churn):
            start = time.perf_counter()
            with db.session() as session:
                record_snapshot(session, schema, source_type="bench", taken_at=taken_at)
            times.append(time.perf_counter() - start)
            last = schema
            if len(times) % 50 == 0:
                print(f"  day {len(times)}: {times[-1]:.2f} s", file=sys.stderr)
        assert last is not None
        again = fresh(last)
        start = time.perf_counter()
        with db.session() as session:
            record_snapshot(session, again, source_type="bench", taken_at=taken_at)
        unchanged = time.perf_counter() - start
        pruned, prune_seconds, items = prune_dry_run(db, taken_at, args.keep or args.days // 2)
        db.dispose()  # the last connection closing checkpoints the WAL into the file
        db_size = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*"))
        one_copy = len(json_copy(last))
    print(f"backend                 {args.backend}")
    print(f"snapshots recorded      {len(times)} x {len(last.items):,} items")
    print(f"first snapshot          {times[0]:.2f} s")
    print(
        f"per daily snapshot      median {statistics.median(times[1:]):.2f} s, "
        f"max {max(times[1:]):.2f} s"
    )
    print(f"unchanged 100k schema   {unchanged:.2f} s   (hashing included; target: under 1 s)")
    removed = ", ".join(f"{n:,} {kind}" for kind, n in pruned.as_dict().items() if n)
    print(f"prune (dry run)         {prune_seconds:.2f} s at {items:,} item rows: {removed}")
    if args.backend != "sqlite":
        return  # sizes below are of the SQLite file
    print(f"database after a year   {db_size / 2**20:.1f} MiB")
    print(f"one snapshot as JSON    {one_copy / 2**20:.1f} MiB")
    print(
        f"ratio                   {db_size / one_copy:.2f}x one JSON copy   (target: under 2x; "
        f"{len(times)} daily JSON copies would be {len(times) * one_copy / 2**30:.1f} GiB)"
    )


if __name__ == "__main__":
    main()
