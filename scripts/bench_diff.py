#!/usr/bin/env python3
"""Benchmark: drift's diff + classify against DeepDiff over two full schemas, in one process.

For 1k, 10k and 100k properties with 50 changes between two days, prints:
- DeepDiff over both schemas as plain dicts (the baseline),
- drift in memory: diff_schemas over the two fetched schemas + classify the changes,
- drift from the store: the changes read from the validity intervals in SQLite + classify
  (what `drift run` does), and
- peak traced memory of the drift paths.

Target at 100k: at least 200x faster than the baseline, peak memory under 300 MB.
Usage: .venv/bin/python scripts/bench_diff.py [--sizes 1000,10000,100000] [--skip-deepdiff-over N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deepdiff import DeepDiff

from drift.classify import load_classifier
from drift.diff.engine import compare, diff_schemas
from drift.model import Item, Provenance, Schema, Scope
from drift.store import queries
from drift.store.database import Database
from drift.store.record import record_snapshot

WORDS = (
    "user order cart item product page search plan coupon price total session device app "
    "button screen campaign source medium email phone name city country zip ip agent id ts".split()
)
TYPES = ["string", "integer", "number", "boolean"]


def synthetic(n_props: int, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    items: list[Item] = []
    events = max(1, n_props // 25)
    for e in range(events):
        event = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {e}"
        items.append(Item.of(Scope.EVENT, event, description=f"Event {e}"))
        for p in range(n_props // events):
            name = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{p}"
            items.append(
                Item.of(
                    Scope.EVENT_PROPERTY,
                    event,
                    name,
                    type=[rng.choice(TYPES), "null"] if p % 7 == 0 else rng.choice(TYPES),
                    description=rng.choice(["", f"Describes {name} for the {event} flow"]),
                    display_name=name.replace("_", " ").title(),
                    required=p % 5 == 0,
                    tags=rng.sample(["growth", "billing", "core", "pii-review", "web"], 2),
                    enum=["a", "b", "c"] if p % 11 == 0 else None,
                    vendor={"source": "api", "verified": p % 3 == 0},
                )
            )
    return items


def mutate(items: list[Item], changes: int, seed: int = 11) -> list[Item]:
    rng = random.Random(seed)
    out = list(items)
    props = [i for i, it in enumerate(out) if it.scope is Scope.EVENT_PROPERTY]
    picked = rng.sample(props, changes)
    for n, index in enumerate(picked):
        item = out[index]
        kind = n % 3
        if kind == 0:  # type change
            out[index] = Item.of(item.scope, item.event, item.name, type="array")
        elif kind == 1:  # removal
            out[index] = Item.of(item.scope, item.event, f"{item.name}_renamed", type="string")
        else:  # a risky addition
            out.append(
                Item.of(Scope.EVENT_PROPERTY, item.event, f"customer_email_{n}", type="string")
            )
    return out


def as_dict(items: list[Item]) -> dict[str, dict[str, object]]:
    return {f"{i.scope}|{i.event}|{i.name}": dict(i.definition) for i in items}


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(fn):  # type: ignore[no-untyped-def]
    """Best wall time of 3 runs without tracing, then peak traced memory of one more run."""
    seconds = min(timed(fn)[0] for _ in range(3))
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def run(size: int, skip_deepdiff_over: int) -> None:
    day1, day2 = synthetic(size), None
    day2 = mutate(day1, 50)
    clf = load_classifier(None)

    if size <= skip_deepdiff_over:
        a_dict, b_dict = as_dict(day1), as_dict(day2)
        base_s, _ = timed(lambda: DeepDiff(a_dict, b_dict))
    else:
        base_s = float("nan")

    a = Schema.build("bench", Provenance.DOCUMENTED, day1)
    b = Schema.build("bench", Provenance.DOCUMENTED, day2)

    def in_memory() -> int:
        changes = diff_schemas(a, b)
        return sum(len(clf.classify(c.key.name, (c.after or {}).get("type", ()))) for c in changes)

    mem_s, peak_mem = measure(in_memory)

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        with db.session() as session:
            s1 = record_snapshot(session, a, source_type="bench", taken_at=t0).snapshot_id
        with db.session() as session:
            s2 = record_snapshot(
                session, b, source_type="bench", taken_at=t0 + dt.timedelta(days=1)
            ).snapshot_id

        def from_store() -> int:
            with db.session() as session:
                before, after = queries.touched_between(session, "bench", s1, s2)
                known = queries.names_seen_by(session, "bench", [k.name for k in after], s1)
            changes = compare("bench", before, after, name_known=known.__contains__)
            return sum(
                len(clf.classify(c.key.name, (c.after or {}).get("type", ()))) for c in changes
            )

        store_s, peak_store = measure(from_store)
        db.dispose()

    print(
        f"{size:>7} props | DeepDiff {base_s:8.3f} s | drift in-memory {mem_s:7.3f} s "
        f"(x{base_s / mem_s:7.1f}, peak {peak_mem / 2**20:6.1f} MB) | "
        f"drift from store {store_s:7.4f} s "
        f"(x{base_s / store_s:8.1f}, peak {peak_store / 2**20:5.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--skip-deepdiff-over",
        type=int,
        default=10**9,
        help="skip the (slow) DeepDiff baseline above this size",
    )
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.skip_deepdiff_over)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole process (schemas, DeepDiff and drift together): {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
