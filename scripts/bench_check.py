"""Benchmark: ``drift check --base HEAD~1`` on a generated plan in a temporary git repository.

The plan has EVENTS events of PROPS properties each (10 property names, 5 variants per name, so
names repeat across events as real plans do); the second commit adds ``email_domain`` to every
100th event. Prints the plan size, the wall time of each stage (parse + locate the head, read and
parse the base through git, diff + classify) and of the whole check.

    .venv/bin/python scripts/bench_check.py [--events 2000] [--props 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drift.check import CheckRequest, run_check
from drift.check.gitbase import base_texts
from drift.check.plans import load_plan, read_texts
from drift.classify import load_classifier
from drift.config import parse_config

NAMES = ["email", "plan", "user_id", "page_url", "amount", "currency", "ip_address", "first_name"]
NAMES += ["search_query", "utm_source"]


def plan(events: int, props: int, added: bool) -> dict[str, object]:
    out = {}
    for e in range(events):
        properties = {
            f"{NAMES[i % 10]}_{i // 10}" if i >= 10 else NAMES[i]: {"type": "string"}
            for i in range(props)
        }
        if added and e % 100 == 0:
            properties["email_domain"] = {"type": "string"}
        out[f"Event {e}"] = {"type": "object", "properties": properties}
    return {"events": out}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=b@example.com", "-c", "user.name=b", *args], cwd=repo, check=True
    )


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    print(f"{label:<28} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--props", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        path = repo / "plan.json"
        git(repo, "init", "-q")
        path.write_text(json.dumps(plan(args.events, args.props, False), indent=2))
        git(repo, "add", "plan.json")
        git(repo, "commit", "-q", "-m", "base")
        path.write_text(json.dumps(plan(args.events, args.props, True), indent=2))
        git(repo, "commit", "-q", "-am", "change")
        size = path.stat().st_size / 2**20
        print(f"plan: {args.events * args.props} properties, {size:.1f} MiB")
        timed("parse + locate head", lambda: load_plan(read_texts([path]), "plan"))
        timed("git show + parse base", lambda: load_plan(base_texts("HEAD~1", [path]), "plan"))
        classifier = load_classifier()
        request = CheckRequest((path,), base_ref="HEAD~1")
        now = dt.datetime.now(dt.UTC)
        result = timed(
            "whole check",
            lambda: run_check(request, parse_config({}), classifier, now),
        )
        print(f"findings introduced: {len(result.findings)}")


if __name__ == "__main__":
    main()
