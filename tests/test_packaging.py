"""A normal (non-editable) install carries everything drift needs at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_ships_migrations_templates_rules_and_example(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("drift_schema-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "drift/_migrations/env.py",
        "drift/_migrations/script.py.mako",
        "drift/_migrations/versions/0001_initial_schema.py",
        "drift/_templates/digest.html.j2",
        "drift/classify/default_rules.toml",
        "drift/example_config.toml",
        "drift/py.typed",
    ):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert (
        "drift = drift.cli:main" in text
        and "[drift.sources]" in text
        and "[drift.notifiers]" in text
    )


def test_python_dash_m_drift_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "drift", "--help"], capture_output=True, text=True, check=True
    )
    for command in (
        "run",
        "schedule",
        "snapshot",
        "history",
        "show",
        "diff",
        "exposure",
        "timeline",
    ):
        assert command in result.stdout
