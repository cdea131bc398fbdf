#!/usr/bin/env python3
"""Benchmark: names classified per second, cold cache, on 100k distinct property names.

    python scripts/bench_classify.py [--names 100000] [--languages en,de,...] [--mix english]

Names are one to three words joined in snake_case, camelCase or glued into one word, a third
each. ``--mix multilingual`` (default) draws the words from the English analytics vocabulary of
scripts/synthetic.py and from every multilingual labelled name (most words then are German,
French... so folding and compound splitting run on almost every glued name: a worst case);
``--mix english`` from the English vocabulary only (a typical schema). Each run builds a fresh
classifier, so nothing is cached from a previous run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import RISKY, WORDS  # noqa: E402

from drift.classify import load_classifier  # noqa: E402

LABELS = ROOT / "tests" / "cases" / "labels"


def names(count: int, seed: int = 7, mix: str = "multilingual") -> list[str]:
    rng = random.Random(seed)
    native = [
        line.split(",", 1)[0]
        for path in sorted(LABELS.glob("names-??.csv"))
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
    ]
    vocab = WORDS + RISKY + (native if mix == "multilingual" else [])
    out: set[str] = set()
    while len(out) < count:
        parts = rng.sample(vocab, rng.randint(1, 3))
        style = rng.randrange(3)
        if style == 0:
            out.add("_".join(parts))
        elif style == 1:
            out.add(parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]))
        else:
            out.add("".join(parts))
    return sorted(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--languages", default=None, help="comma-separated, default: all")
    parser.add_argument("--mix", choices=["multilingual", "english"], default="multilingual")
    args = parser.parse_args()
    sample = names(args.names, mix=args.mix)
    kwargs = {}
    if args.languages:
        kwargs["languages"] = args.languages.split(",")
    start = time.perf_counter()
    clf = load_classifier(**kwargs)
    built = time.perf_counter() - start
    start = time.perf_counter()
    flagged = sum(bool(clf.classify(n, ("string",))) for n in sample)
    took = time.perf_counter() - start
    print(
        f"build {built * 1000:.0f} ms; {len(sample)} names in {took:.2f} s: "
        f"{len(sample) / took:,.0f} names/s, {flagged} flagged"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
