"""`drift snapshot` starts without the daily job's later stages: the pipeline imports compose,
rendering and delivery only in the functions that run them (#15: unchanged snapshot under 1 s)."""

from __future__ import annotations

import subprocess
import sys

LATER_STAGES = ("drift.delivery", "drift.answers.digest", "drift.report.model", "drift.notify")


def test_the_snapshot_command_loads_no_later_stage() -> None:
    probe = (
        "import sys, drift.commands.snapshots, drift.pipeline; "
        f"print(sorted(m for m in {LATER_STAGES!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
