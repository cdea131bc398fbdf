"""A small world for CLI tests that compare outputs: an ``events`` source named ``web`` read from
``events.ndjson``, a file notifier writing to ``reports/``, on the test's database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from drift.cli import cli

POLICY = '[[policy]]\nname = "no contact data"\nsources = ["web"]\nforbid = ["contact"]\n'


def run_drift(config: Path, *args: str, code: int = 0) -> Any:
    """Run a drift command in-process; its parsed JSON with ``--format``, else its stdout."""
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--format" in args else result.stdout


def events_world(tmp_path: Path, db_url: str, events: str, extra: str = "") -> Path:
    """Write the events and the config (``extra`` blocks after the source), upgrade the database;
    the config path."""
    (tmp_path / "events.ndjson").write_text(events)
    config = tmp_path / "drift.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n'
        '[[sources]]\nname = "web"\ntype = "events"\npath = "events.ndjson"\n'
        f"{extra}"
        '[[notify]]\ntype = "file"\ndirectory = "reports"\n'
    )
    run_drift(config, "db", "upgrade")
    return config


def mailed_digest(config: Path) -> dict[str, Any]:
    """The JSON digest the file notifier wrote (the only one)."""
    (digest_file,) = (config.parent / "reports").glob("*.json")
    parsed: dict[str, Any] = json.loads(digest_file.read_text())
    return parsed
