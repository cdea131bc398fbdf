"""Benchmark the history queries on a year of a 100,000-property schema in SQLite.

    .venv/bin/python scripts/bench_history.py [--days 365] [--size 100000] [--db PATH]

Records ``--days`` daily snapshots from scripts/synthetic.py (0.1% daily churn) into a SQLite file
(kept and reused when it already holds them), then times ``timeline`` for one property,
``exposure`` over the last 30 days and over the whole year, and ``show --at`` a mid-year date.
Each is set against reading as many full JSON snapshots from disk as the question spans without
the temporal store (one snapshot file is read three times and the mean is multiplied). Target:
each query under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import daily_schemas

from drift.model import Schema
from drift.store import queries
from drift.store.database import Database
from drift.store.exposure import exposure
from drift.store.history import Window
from drift.store.record import record_snapshot
from drift.store.tables import SnapshotRow
from drift.store.timeline import timeline

SOURCE = "synthetic"
PROPERTY = "email"


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    db = Database(f"sqlite:///{args.db}")
    last = _ensure_history(db, args)
    classifier = _classifier()
    per_file = _json_read_seconds(args)
    print(f"rules {classifier.rules_hash[:12]}; reading one full JSON snapshot: {per_file:.3f} s")
    mid = last - dt.timedelta(days=args.days // 2)
    checks: list[tuple[str, int, Callable[[], Any]]] = [
        (f"timeline {PROPERTY}", args.days, lambda: _timeline(db, classifier)),
        ("exposure 30 days", 30, lambda: _exposure(db, classifier, last, 30)),
        (
            f"exposure {args.days} days",
            args.days,
            lambda: _exposure(db, classifier, last, args.days),
        ),
        (f"show --at {mid:%Y-%m-%d}", 1, lambda: _show(db, mid)),
    ]
    print(f"{'query':28} {'first':>8} {'median':>8} {'rows':>8} {'JSON copies':>16}")
    for label, copies, run in checks:
        first, median, rows = _time(run)
        flag = "" if median < 1.0 else "  <-- over 1 s"
        print(
            f"{label:28} {first:8.3f} {median:8.3f} {rows:8d} "
            f"{copies * per_file:10.1f} s ({copies}x){flag}"
        )
    db.dispose()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "drift-bench-history.db"
    )
    return parser.parse_args(argv)


def _schemas(args: argparse.Namespace) -> Any:
    return daily_schemas(days=args.days, size=args.size, seed=args.seed, source=SOURCE)


def _ensure_history(db: Database, args: argparse.Namespace) -> dt.datetime:
    """Record the synthetic year unless the file already holds it; returns the last day."""
    with db.session() as session:
        have = session.query(SnapshotRow).count()
        last = session.query(SnapshotRow.taken_at).order_by(SnapshotRow.id.desc()).limit(1).scalar()
    if have == args.days and last is not None:
        print(f"reusing {args.db} ({have} snapshots)")
        return last
    if have:
        raise SystemExit(f"{args.db} holds {have} snapshots, not {args.days}: delete it first")
    started = time.perf_counter()
    for day, (taken_at, schema) in enumerate(_schemas(args)):
        with db.session() as session:
            record_snapshot(session, schema, source_type="synthetic", taken_at=taken_at)
        last = taken_at
        if day % 30 == 0:
            print(f"  recorded day {day} ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"recorded {args.days} snapshots in {time.perf_counter() - started:.0f} s")
    return last


def _json_read_seconds(args: argparse.Namespace) -> float:
    """Mean time to read one full JSON snapshot (the copies the temporal store avoids)."""
    schema = next(iter(daily_schemas(days=1, size=args.size, seed=args.seed, source=SOURCE)))[1]
    path = Path(tempfile.gettempdir()) / "drift-bench-snapshot.json"
    path.write_text(json.dumps(_as_json(schema)), encoding="utf-8")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        items = json.loads(path.read_text(encoding="utf-8"))
        by_key = {(i["scope"], i["event"], i["name"]): i["definition"] for i in items}
        times.append(time.perf_counter() - started)
        assert len(by_key) == len(schema.items)
    print(f"one JSON snapshot: {path.stat().st_size / 1e6:.1f} MB")
    return statistics.mean(times)


def _as_json(schema: Schema) -> list[dict[str, Any]]:
    return [
        {"scope": str(i.scope), "event": i.event, "name": i.name, "definition": i.definition}
        for i in schema.items
    ]


def _timeline(db: Database, classifier: Any) -> int:
    with db.session() as session:
        return len(timeline(session, PROPERTY, classifier))


def _exposure(db: Database, classifier: Any, last: dt.datetime, days: int) -> int:
    window = Window(last - dt.timedelta(days=days), last)
    with db.session() as session:
        return len(exposure(session, window, classifier, sources=[SOURCE]).rows)


def _show(db: Database, moment: dt.datetime) -> int:
    with db.session() as session:
        snapshot_id = queries.resolve_ref(session, SOURCE, moment.isoformat())
        assert snapshot_id is not None
        return len(queries.state_at(session, snapshot_id).items)


def _time(run: Callable[[], int]) -> tuple[float, float, int]:
    times, rows = [], 0
    for _ in range(3):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times), rows


def _classifier() -> Any:
    from drift.classify import load_classifier

    return load_classifier(None)


if __name__ == "__main__":
    main()
