#!/usr/bin/env python3
"""Benchmark: the daily job on a huge schema, as a user runs it, with peak memory per step.

Writes a JSON Schema tracking plan of ``--size`` event properties (scripts/synthetic.py,
``--per-event`` properties per event; a folder of files, each under the source's size cap), then
runs each step as a fresh ``drift`` process over it (``type = "jsonschema"``, a file notifier):

1. ``drift db upgrade``;
2. ``drift run``: the first run (records everything; the digest is an inventory);
3. ``drift run`` after 0.1% of the plan changed (records the change, diffs, classifies, renders
   and delivers the digest);
4. ``drift run`` again with nothing changed (``--unchanged``).

Prints wall time and peak RSS (``ru_maxrss`` of each child, from ``os.wait4``) per step. Target:
a 1,000,000-property source under 2 GB peak RSS on every backend.

Usage: .venv/bin/python scripts/bench_scale.py [--backend sqlite|postgresql|mariadb]
[--size 1000000] [--per-event 50] [--unchanged] (server backends: a scratch database on the local
server, dropped afterwards, as scripts/bench_store.py does). The 200k-event case of issue #13:
``--size 200000 --per-event 1`` (200k events with one property each: 400k items).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import SERVERS, scratch_url
from synthetic import daily_schemas

from drift.model import Item, Schema

DRIFT = Path(sys.executable).with_name("drift")
PROPERTIES_PER_FILE = 200_000  # keeps each file well under the jsonschema source's 64 MiB cap
CONFIG = """\
[database]
url = "sqlite:///unused.db"           # DRIFT_DATABASE_URL (the scratch database) overrides

[[sources]]
name = "plan"
type = "jsonschema"
path = "plan"

[[notify]]
type = "file"
directory = "reports"
"""


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_mib: float
    exit_code: int


def _property(item: Item) -> dict[str, Any]:
    types = list(item.types)
    return {"type": types[0] if len(types) == 1 else types, "description": item.description}


def write_plan(schema: Schema, folder: Path) -> int:
    """The schema as plain JSON Schema plan files (``{"events": {name: {properties}}}``)."""
    folder.mkdir(parents=True)
    events: dict[str, dict[str, Any]] = {}
    count = files = 0

    def flush() -> None:
        nonlocal events, count, files
        if events:
            files += 1
            with (folder / f"plan-{files:04d}.json").open("w", encoding="utf-8") as out:
                json.dump({"events": events}, out, ensure_ascii=False)
        events, count = {}, 0

    for item in schema.items:
        if item.event not in events and count >= PROPERTIES_PER_FILE:
            flush()
        event = events.setdefault(item.event, {"type": "object", "properties": {}})
        event["properties"][item.name] = _property(item)
        count += 1
    flush()
    return files


def write_plans(work: Path, size: int, per_event: int, churn: float) -> int:
    """Day 0 and day 1 (``churn`` changed) as plan folders; returns day 0's item count."""
    days = daily_schemas(days=2, size=size, churn=churn, per_event=per_event)
    _, first = next(days)
    items = len(first.items) + len({i.event for i in first.items})
    write_plan(first, work / "day0")
    del first
    _, changed = next(days)
    write_plan(changed, work / "day1")
    return items


def run_step(name: str, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> Step:
    """One fresh process: wall time and the peak RSS the kernel reports for it."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Step(name, seconds, usage.ru_maxrss / 1024, proc.returncode)


def report(steps: Iterable[Step], backend: str, size: int, items: int) -> None:
    print(f"backend      {backend}")
    print(f"schema       {size:,} properties, {items:,} items (events included)")
    print(f"{'step':<34} {'time':>9} {'peak RSS':>10} {'exit':>5}")
    for step in steps:
        print(
            f"{step.name:<34} {step.seconds:>8.1f}s {step.peak_mib:>7.0f} MiB {step.exit_code:>5}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", *SERVERS], default="sqlite")
    parser.add_argument("--size", type=int, default=1_000_000, help="event properties")
    parser.add_argument("--per-event", type=int, default=50, help="properties per event")
    parser.add_argument("--churn", type=float, default=0.001, help="share changed (0.1%%)")
    parser.add_argument("--unchanged", action="store_true", help="also run once unchanged")
    parser.add_argument("--keep", type=Path, help="copy the drift log here")
    parser.add_argument("--write-plans", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_plans:
        print(write_plans(args.write_plans, args.size, args.per_event, args.churn))
        return
    with tempfile.TemporaryDirectory() as tmp, scratch_url(args.backend, tmp) as url:
        work = Path(tmp)
        (work / "drift.toml").write_text(CONFIG, encoding="utf-8")
        # The plans are written by a child process: a child's ru_maxrss starts at its parent's
        # size when it is forked, so the parent must not hold the synthetic schemas.
        plans = [sys.executable, __file__, "--write-plans", str(work), "--size", str(args.size)]
        plans += ["--per-event", str(args.per_event), "--churn", str(args.churn)]
        items = int(subprocess.run(plans, check=True, capture_output=True, text=True).stdout)
        env = {**os.environ, "DRIFT_DATABASE_URL": url, "DRIFT_CONFIG": str(work / "drift.toml")}
        log = work / "drift.log"
        drift = [str(DRIFT), "-q"]
        steps = [run_step("db upgrade", [*drift, "db", "upgrade"], work, env, log)]
        (work / "day0").rename(work / "plan")
        steps.append(run_step("first run (inventory digest)", [*drift, "run"], work, env, log))
        (work / "plan").rename(work / "day0")
        (work / "day1").rename(work / "plan")
        steps.append(
            run_step(f"{args.churn:.1%} changed run + digest", [*drift, "run"], work, env, log)
        )
        if args.unchanged:
            steps.append(run_step("unchanged run", [*drift, "run"], work, env, log))
        if args.keep:
            args.keep.write_bytes(log.read_bytes())
        if any(s.exit_code not in (0, 5) for s in steps):
            print(log.read_text(encoding="utf-8", errors="replace")[-4000:], file=sys.stderr)
    report(steps, args.backend, args.size, items)


if __name__ == "__main__":
    main()
