#!/usr/bin/env python3
"""Benchmark: the whole CLI as a user runs it, each step a fresh `drift` process.

For a tracking-plan file of ``--size`` properties (scripts/synthetic.py, written as a JSON Schema
plan that the ``jsonschema`` source reads) on one backend, times each process and its peak RSS
(``os.wait4``): the first snapshot, an unchanged snapshot, the first ``drift run`` (the inventory
digest), ``drift status`` after it (best of ``--repeat-slow``), a snapshot with ``--changes``
changes, ``drift diff`` between the two snapshots, the ``drift run`` that digests those changes,
and the cold starts ``drift --version``, ``drift --help`` and ``drift classify NAME`` (best of
``--repeat``). In the same run, DeepDiff over the same two
schemas (as dicts of item definitions) is the baseline for ``drift diff``.

Targets: unchanged snapshot under 1 s; ``drift diff`` at least 50x faster than DeepDiff;
``--version``/``--help`` under 0.3 s; ``classify`` under 0.5 s. Two "floor" rows time what any
``drift diff`` pays before its first query (the interpreter; the validated config and the
backend's driver), each against the 50x budget.

Usage: .venv/bin/python scripts/bench_cli.py [--backend sqlite|postgresql|mariadb]
[--backend ...] [--size 100000] [--changes 50] [--repeat 5] [--markdown] [--no-deepdiff]
Server backends use a scratch database on the local server, dropped afterwards (as
scripts/bench_store.py does). ``--markdown`` also prints the README's table: a row per step, a
column per backend.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import scratch_url
from synthetic import daily_schemas

from drift.model import Schema

ROOT = Path(__file__).resolve().parents[1]

GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else ""
JSON_TYPES = {"datetime": {"type": "string", "format": "date-time"}}


@dataclass(frozen=True)
class Timed:
    """One process: wall seconds, CPU seconds (user + system) and peak RSS in MB."""

    seconds: float
    cpu: float
    rss_mb: float


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    cpu: float
    rss_mb: float
    note: str = ""
    median: float | None = None  # cold starts: the median of the runs

    @classmethod
    def of(cls, name: str, timed: Timed, note: str = "", median: float | None = None) -> Step:
        return cls(name, timed.seconds, timed.cpu, timed.rss_mb, note, median)


def plan_document(schema: Schema) -> dict[str, Any]:
    """The schema as a plain JSON Schema tracking plan (``{"events": {name: schema}}``)."""
    events: dict[str, Any] = {}
    for item in schema.items:
        node = dict(JSON_TYPES.get(item.types[0], {"type": item.types[0]}))
        if item.description:
            node["description"] = item.description
        event = events.setdefault(item.event, {"type": "object", "properties": {}})
        event["properties"][item.name] = node
    return {"events": events}


def drift_command() -> list[str]:
    installed = ROOT / ".venv" / "bin" / "drift"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "drift"]


class Runner:
    """Runs ``drift`` in a fresh process per call: wall and CPU time, and that process's peak RSS.

    The peak RSS comes from GNU time (``/usr/bin/time``) when present: a child forked from this
    (large) benchmark process would report this process's size from before its ``exec``.
    Otherwise it is the ``os.wait4`` usage of the child, an upper bound.
    """

    def __init__(self, workdir: Path, config: Path) -> None:
        self.workdir, self.config = workdir, config
        self.env = {**os.environ, "DRIFT_CONFIG": str(config), "NO_COLOR": "1"}
        self.env.pop("DRIFT_DATABASE_URL", None)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed drift has its .pyc files

    def run(self, *args: str) -> tuple[Timed, str]:
        return self.run_command([*drift_command(), *args])

    def run_command(self, command: list[str]) -> tuple[Timed, str]:
        out, err = self.workdir / "stdout.txt", self.workdir / "stderr.txt"
        usage_file = self.workdir / "usage.txt"
        wrapper = [GNU_TIME, "-f", "%M", "-o", str(usage_file)] if GNU_TIME else []
        with out.open("wb") as stdout, err.open("wb") as stderr:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [*wrapper, *command],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(
                f"{' '.join(command)} exited {code}:\n"
                + out.read_text(errors="replace")
                + err.read_text(errors="replace")
            )
        peak_kb = usage.ru_maxrss
        if GNU_TIME:
            peak_kb = int(usage_file.read_text().split()[-1])
        cpu = usage.ru_utime + usage.ru_stime
        return Timed(seconds, cpu, peak_kb / 1024), out.read_text(errors="replace")

    def step(self, name: str, *args: str, repeat: int = 1, note: str = "") -> Step:
        """Wall time of one run, or the best of ``repeat`` runs of an idempotent step."""
        runs = [self.run(*args)[0] for _ in range(repeat)]
        best = min(runs, key=lambda t: t.seconds)
        if repeat > 1:
            note = ", ".join(filter(None, [note, f"best of {repeat}"]))
        print(f"  {name}: {best.seconds:.2f} s, {best.rss_mb:.0f} MB", file=sys.stderr)
        return Step.of(name, best, note)

    def cold(self, name: str, *args: str, repeat: int, target: float) -> Step:
        """A cold start: the best of ``repeat`` runs, with the median and the target."""
        return self.cold_command(name, [*drift_command(), *args], repeat=repeat, target=target)

    def cold_command(self, name: str, command: list[str], repeat: int, target: float) -> Step:
        runs = [self.run_command(command)[0] for _ in range(repeat)]
        best = min(runs, key=lambda t: t.seconds)
        median = statistics.median(t.seconds for t in runs)
        verdict = "ok" if best.seconds < target else "OVER"
        note = f"best of {repeat}, median {median:.2f} s; target < {target:.3g} s: {verdict}"
        print(f"  {name}: {best.seconds:.2f} s ({note})", file=sys.stderr)
        return Step.of(name, best, note, median)


def write_config(workdir: Path, url: str) -> Path:
    (workdir / "current").mkdir()
    config = workdir / "drift.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n\n'
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "current/plan.json"\n\n'
        '[[notify]]\ntype = "file"\ndirectory = "reports"\n',
        encoding="utf-8",
    )
    return config


def deepdiff_seconds(before: Path, after: Path) -> tuple[float, int]:
    """DeepDiff over the two plans as drift reads them: {item label: definition}."""
    from deepdiff import DeepDiff

    from drift.sources.jsonschema import items_from_document

    def as_dict(path: Path) -> dict[str, Any]:
        items = items_from_document(json.loads(path.read_text(encoding="utf-8")), str(path))
        return {f"{i.scope}|{i.event}|{i.name}": dict(i.definition) for i in items}

    a, b = as_dict(before), as_dict(after)
    start = time.perf_counter()
    found = DeepDiff(a, b)
    seconds = time.perf_counter() - start
    return seconds, sum(len(v) for v in found.values())


def snapshot_ids(runner: Runner) -> list[int]:
    _, out = runner.run("history", "--source", "plan", "--format", "json")
    return sorted(row["id"] for row in json.loads(out))


def compile_drift() -> None:
    """Byte-compile drift as ``pip install`` does, so no step pays for compiling it."""
    import drift

    package = str(Path(drift.__file__).parent)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True, env=env)


def bench(args: argparse.Namespace, backend: str) -> list[Step]:
    compile_drift()
    churn = args.changes / args.size
    days = [schema for _, schema in daily_schemas(days=2, size=args.size, churn=churn)]
    with tempfile.TemporaryDirectory() as tmp, scratch_url(backend, tmp) as url:
        work = Path(tmp)
        runner = Runner(work, write_config(work, url))
        plans = []
        for n, schema in enumerate(days):
            plans.append(work / f"day{n}.json")
            plans[-1].write_text(json.dumps(plan_document(schema)), encoding="utf-8")
        current = work / "current" / "plan.json"
        props = f"{len(days[0].items):,} properties"
        print(f"{backend}: {props}, {args.changes} changes", file=sys.stderr)
        runner.run("db", "upgrade")
        steps = []
        current.write_bytes(plans[0].read_bytes())
        steps.append(runner.step("first snapshot", "snapshot", note=props))
        steps.append(runner.step("unchanged snapshot", "snapshot", repeat=args.repeat_slow))
        steps.append(runner.step("drift run, first digest (inventory)", "run"))
        steps.append(runner.step("drift status", "status", repeat=args.repeat_slow))
        current.write_bytes(plans[1].read_bytes())
        changed = f"{args.changes} changes"
        steps.append(runner.step(f"{args.changes}-change snapshot", "snapshot", note=changed))
        ids = snapshot_ids(runner)
        diff_args = ("diff", "--source", "plan", "--from", str(ids[-2]), "--to", str(ids[-1]))
        diff = runner.step("drift diff (the two snapshots)", *diff_args, repeat=args.repeat_slow)
        steps.append(diff)
        steps.append(runner.step(f"drift run, digest of {changed}", "run"))
        if not args.no_deepdiff:
            base, found = deepdiff_seconds(plans[0], plans[1])
            ratio = base / diff.seconds
            verdict = "ok" if ratio >= 50 else "UNDER"
            steps.append(
                Step(
                    "DeepDiff, same two schemas (in-process)",
                    base,
                    base,
                    float("nan"),
                    f"{found} differences; drift diff is {ratio:.0f}x faster "
                    f"(target >= 50x: {verdict})",
                )
            )
            steps.extend(floors(runner, backend, budget=base / 50, repeat=args.repeat))
        steps.append(runner.cold("drift --version", "--version", repeat=args.repeat, target=0.3))
        steps.append(runner.cold("drift --help", "--help", repeat=args.repeat, target=0.3))
        steps.append(
            runner.cold(
                "drift classify email_address",
                "classify",
                "email_address",
                repeat=args.repeat,
                target=0.5,
            )
        )
        return steps


#: The DB-API driver ``drift diff`` imports for each backend (drift/store/lean.py).
DRIVERS = {"sqlite": "sqlite3", "postgresql": "psycopg", "mariadb": "pymysql"}


def floors(runner: Runner, backend: str, budget: float, repeat: int) -> list[Step]:
    """What any ``drift diff`` pays before its first query, in fresh processes, against the 50x
    budget (DeepDiff's time / 50): the interpreter alone, then the interpreter with the validated
    config (pydantic, the configured connector) and the backend's driver imported."""
    load = f"from drift.app import App; App(read_only=True).config; import {DRIVERS[backend]}"
    return [
        runner.cold_command(
            f"floor: {name}", [sys.executable, "-c", code], repeat=repeat, target=budget
        )
        for name, code in (
            ("interpreter start", "pass"),
            ("config validated, driver imported", load),
        )
    ]


def _rss(step: Step) -> str:
    return "-" if step.rss_mb != step.rss_mb else f"{step.rss_mb:.0f} MB"


def print_table(backend: str, steps: list[Step]) -> None:
    width = max(len(s.name) for s in steps)
    head = f"{'step (' + backend + ')':<{width}}  {'wall s':>7}  {'CPU s':>7}  {'peak RSS':>9}"
    print(head + "  note")
    for s in steps:
        print(f"{s.name:<{width}}  {s.seconds:>7.2f}  {s.cpu:>7.2f}  {_rss(s):>9}  {s.note}")


def _cell(step: Step) -> str:
    if step.rss_mb != step.rss_mb:  # the in-process baseline
        return f"{step.seconds:.1f} s; {step.note}"
    wall = f"{step.seconds:.2f} s"
    if step.median is not None:
        wall = f"{step.seconds:.2f} s best, {step.median:.2f} s median"
    return f"{wall} (CPU {step.cpu:.2f} s), {_rss(step)}"


def print_markdown(results: dict[str, list[Step]]) -> None:
    """The README table: a row per step, a column per backend (wall, CPU, peak RSS)."""
    backends = list(results)
    print("| step | " + " | ".join(BACKEND_NAMES[b] for b in backends) + " |")
    print("|---|" + "---|" * len(backends))
    by_name = {b: {s.name: s for s in steps} for b, steps in results.items()}
    for step in results[backends[0]]:
        cells = [_cell(by_name[b][step.name]) if step.name in by_name[b] else "-" for b in backends]
        print(f"| {step.name} | " + " | ".join(cells) + " |")


BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--backend",
        action="append",
        choices=list(BACKEND_NAMES),
        help="sqlite (default), postgresql or mariadb; repeat it for several",
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each cold-start command")
    parser.add_argument(
        "--repeat-slow", type=int, default=3, help="runs of the unchanged snapshot and the diff"
    )
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--no-deepdiff", action="store_true", help="skip the DeepDiff baseline")
    args = parser.parse_args()
    results = {}
    for backend in args.backend or ["sqlite"]:
        results[backend] = bench(args, backend)
        print_table(backend, results[backend])
    if args.markdown:
        print_markdown(results)


if __name__ == "__main__":
    main()
