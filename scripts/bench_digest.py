"""Time building and rendering a digest of N changes (default 20,000). Prints figures; target < 2 s.

Usage: .venv/bin/python scripts/bench_digest.py [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drift.report.build import build_digest
from drift.report.render import render_digest
from tests.report.fixtures import huge_input


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    data = huge_input(n)
    t0 = time.perf_counter()
    digest = build_digest(data)
    t1 = time.perf_counter()
    rendered = render_digest(digest)
    t2 = time.perf_counter()
    print(f"changes:        {n:,}")
    print(f"build:          {t1 - t0:.3f} s")
    print(f"render (all):   {t2 - t1:.3f} s")
    print(f"total:          {t2 - t0:.3f} s (target < 2 s)")
    print(f"html:           {len(rendered.html.encode()):,} bytes")
    print(f"text:           {len(rendered.text.encode()):,} bytes")
    print(f"markdown:       {len(rendered.markdown.encode()):,} bytes")
    print(f"json:           {len(rendered.json.encode()):,} bytes")
    print(f"slack:          {len(rendered.slack.encode()):,} bytes")
    for att in rendered.attachments:
        print(f"attachment:     {att.filename} {len(att.content):,} bytes")


if __name__ == "__main__":
    main()
