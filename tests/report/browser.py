"""Lay a page out in headless Chromium (Debian's ``chromium``) and measure it, for layout tests.

The page is loaded into iframes of the asked widths (a headless window cannot be narrower than
500 px), and a probe script in the harness page (never in the page under test) reports each
frame's scroll width against its visible width. ``scripts/test`` installs chromium when missing
and sets ``DRIFT_REQUIRE_BROWSER=1``, so there the tests run instead of being skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HARNESS = """<!doctype html><html><body style="margin:0">{frames}
<script>
const out = {{}};
let left = {count};
for (const f of document.querySelectorAll('iframe')) {{
  f.addEventListener('load', () => {{
    const e = f.contentDocument.scrollingElement;
    out[f.dataset.width] = [e.scrollWidth, e.clientWidth];
    if (--left === 0) document.body.setAttribute('data-probe', JSON.stringify(out));
  }});
}}
</script></body></html>"""
FRAME = (
    '<iframe src="page.html" data-width="{w}" style="width:{w}px;height:900px;border:0"></iframe>'
)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("DRIFT_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed (scripts/test installs it with apt-get)")
        pytest.skip("chromium is not installed (scripts/test installs it)")
    return found


def widths(html: str, *sizes: int) -> dict[int, tuple[int, int]]:
    """{width: (scroll width, visible width)} of ``html`` laid out at each width."""
    binary = chromium()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "page.html").write_text(html, encoding="utf-8")
        frames = "".join(FRAME.format(w=w) for w in sizes)
        (root / "harness.html").write_text(HARNESS.format(frames=frames, count=len(sizes)))
        dom = _dump_dom(binary, root)
    match = re.search(r"data-probe=\"([^\"]+)\"", dom)
    assert match, "chromium did not lay the page out"
    found = json.loads(match.group(1).replace("&quot;", '"'))
    return {int(w): (int(v[0]), int(v[1])) for w, v in found.items()}


def _dump_dom(binary: str, root: Path) -> str:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--allow-file-access-from-files",
        f"--user-data-dir={root / 'profile'}",
        "--window-size=1600,1000",
        "--virtual-time-budget=5000",
        "--dump-dom",
        f"file://{root / 'harness.html'}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout
