#!/usr/bin/env python3
"""Benchmark: policy checks and reconcile on 100k properties across three sources, next to drift's
diff (diff_schemas between two 100k schemas with 50 changes), all in memory, in one process.

Sources: ``plan`` (documented, per event), ``web`` (observed, per event: the plan minus a few
properties, plus undocumented and retyped ones) and ``app`` (observed, project-wide ``*`` like
PostHog). Two policies cover the observed sources. Classification is timed apart (the first pass
fills the per-name cache the pipeline shares), then policies run on warm findings.

Usage: .venv/bin/python scripts/bench_govern.py [--size 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drift.classify import load_classifier
from drift.config import parse_config
from drift.diff.engine import diff_schemas
from drift.govern import cached_findings, evaluate_policies, reconcile_all
from drift.model import Item, Provenance, Schema, Scope

WORDS = (
    "user order cart item product page search plan coupon price total session device app button "
    "screen campaign source medium email phone name city country zip ip agent id ts"
).split()
TYPES = ["string", "integer", "number", "boolean"]
CONFIG = """
[[sources]]
name = "plan"
type = "jsonschema"
path = "plan/"
[[sources]]
name = "web"
type = "events"
path = "web.ndjson"
[[sources]]
name = "app"
type = "events"
path = "app.ndjson"
[[policy]]
name = "no contact data"
sources = ["web"]
forbid = ["contact", "free_text", "ai_content"]
[[policy]]
source_types = ["events"]
max_severity = "medium"
[[reconcile]]
plan = "plan"
observed = ["web", "app"]
"""


def plan_items(n_props: int, rng: random.Random) -> list[Item]:
    items: list[Item] = []
    events = max(1, n_props // 25)
    for e in range(events):
        event = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {e}"
        items.append(Item.of(Scope.EVENT, event))
        for p in range(n_props // events):
            name = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{p}"
            items.append(Item.of(Scope.EVENT_PROPERTY, event, name, type=rng.choice(TYPES)))
    return items


def observed(plan: list[Item], rng: random.Random, drift_every: int = 97) -> list[Item]:
    """The plan as it arrives: some properties missing, some retyped, some undocumented."""
    out: list[Item] = []
    for i, item in enumerate(plan):
        if item.scope is Scope.EVENT or i % drift_every != 0:
            out.append(item)
        elif i % 3 == 0:
            out.append(Item.of(item.scope, item.event, item.name, type="array"))
        elif i % 3 == 1:
            out.append(Item.of(item.scope, item.event, f"customer_email_{i}", type="string"))
    return out


def project_wide(plan: list[Item], count: int, rng: random.Random) -> list[Item]:
    """Half the plan's names project-wide (with null seen too), the rest names nobody planned."""
    names = sorted({i.name: i.types for i in plan if i.scope is Scope.EVENT_PROPERTY}.items())
    kept = names[: min(len(names) // 2, count)]
    items = [Item.of(Scope.EVENT_PROPERTY, "*", n, type=[*t, "null"]) for n, t in kept]
    for k in range(count - len(kept)):
        name = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_x{k}"
        items.append(Item.of(Scope.EVENT_PROPERTY, "*", name, type=rng.choice(TYPES)))
    return items


def changed(items: list[Item], changes: int, rng: random.Random) -> list[Item]:
    """``changes`` changes: half retyped properties, half new (risky) ones."""
    out = list(items)
    props = [i for i, it in enumerate(out) if it.scope is Scope.EVENT_PROPERTY]
    for n, index in enumerate(rng.sample(props, changes)):
        item = out[index]
        if n % 2:
            out[index] = Item.of(item.scope, item.event, item.name, type="array")
        else:
            out.append(Item.of(item.scope, item.event, f"customer_email_{n}", type="string"))
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="properties over all sources")
    args = parser.parse_args()
    rng = random.Random(7)
    third = args.size // 3
    plan = plan_items(third, rng)
    schemas = {
        "plan": Schema.build("plan", Provenance.DOCUMENTED, plan),
        "web": Schema.build("web", Provenance.OBSERVED, observed(plan, rng)),
        "app": Schema.build(
            "app", Provenance.OBSERVED, project_wide(plan, args.size - 2 * third, rng)
        ),
    }
    total = sum(sum(i.scope is not Scope.EVENT for i in s.items) for s in schemas.values())
    config = parse_config(tomllib.loads(CONFIG))
    findings = cached_findings(load_classifier(None))
    now = dt.datetime.now(dt.UTC)

    def classify_all() -> int:
        return sum(len(findings(i)) for s in schemas.values() for i in s.items)

    cls_s, n_findings = timed(classify_all)
    pol_s, violations = timed(lambda: evaluate_policies(config, schemas, findings, None, now))
    rec_s, report = timed(lambda: reconcile_all(config, schemas, lambda source, name: now))

    day1 = plan_items(args.size, random.Random(11))
    day2 = changed(day1, 50, random.Random(12))
    a = Schema.build("bench", Provenance.DOCUMENTED, day1)
    b = Schema.build("bench", Provenance.DOCUMENTED, day2)
    diff_s, changes = timed(lambda: diff_schemas(a, b))

    print(
        f"properties over 3 sources: {total}; diff schemas: {len(a.items)} / {len(b.items)} items"
    )
    print(f"classify (cold cache) {cls_s:7.3f} s  ({n_findings} findings)")
    print(f"policy check          {pol_s:7.3f} s  ({len(violations)} violations, warm findings)")
    print(
        f"reconcile             {rec_s:7.3f} s  ({len(report.undocumented)} undocumented, "
        f"{len(report.mismatches)} type mismatches, {len(report.never_observed)} never observed)"
    )
    print(f"diff_schemas 100k     {diff_s:7.3f} s  ({len(changes)} changes)")


if __name__ == "__main__":
    main()
