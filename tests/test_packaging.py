"""A normal (non-editable) install carries everything drift needs at run time."""

from __future__ import annotations

import os
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


def test_the_installed_wheel_runs_the_job_without_the_checkout(tmp_path: Path) -> None:
    """Install the wheel (no deps: the venv has them) into a folder and run a real job from it."""
    wheels, target, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
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
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("drift_schema-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work.mkdir()
    (work / "plan.json").write_text(
        '{"events": {"Signup": {"properties": {"email": {"type": "string"}}}}}'
    )
    (work / "drift.toml").write_text(
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'
        '[[notify]]\ntype = "file"\ndirectory = "reports"\n'
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = "import drift.resources as r; print(r.migrations_dir()); print(r.templates_dir())"
    where = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=work, capture_output=True, text=True, check=True
    )
    assert all(line.startswith(str(target)) for line in where.stdout.split())
    run = subprocess.run(
        [sys.executable, "-m", "drift", "--config", "drift.toml", "run"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert list((work / "reports").glob("*.html"))


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
