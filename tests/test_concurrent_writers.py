"""Stress: `drift snapshot` and `drift run` processes started together on one server database
(#13.3). Every writer of history holds the run lease (snapshots wait for it), and the database
refuses a second open interval, so afterwards `drift show` is exactly the source and no key is
open twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from drift.exitcodes import Exit
from tests.test_run import make_workdir

DRIFT = [sys.executable, "-m", "drift"]
ITEMS = 300


def _plan(work: Path) -> set[tuple[str, str]]:
    props = {f"prop_{i:04d}": {"type": "string"} for i in range(ITEMS)}
    (work / "current" / "plan.json").write_text(
        json.dumps({"events": {"Signup": {"properties": props}}})
    )
    (work / "current" / "events.ndjson").write_text('{"event": "Page Viewed"}\n')
    return {("event", "Signup")} | {("event_property", p) for p in props}


@pytest.mark.slow
def test_concurrent_snapshots_and_runs_keep_history_exact(tmp_path: Path, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the race is on servers")
    work = make_workdir(tmp_path, db_url)
    expected = _plan(work)
    config = ["--config", str(work / "drift.toml")]
    commands = [["snapshot"]] * 3 + [["run"]] * 2
    procs = [
        subprocess.Popen(
            [*DRIFT, *config, *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for cmd in commands
    ]
    results = [
        (cmd[0], p.wait(timeout=240), p.stderr.read() if p.stderr else "")
        for cmd, p in zip(commands, procs, strict=True)
    ]
    for cmd, code, err in results:
        allowed = {Exit.OK} if cmd == "snapshot" else {Exit.OK, Exit.LEASE_HELD}
        assert code in allowed, (cmd, code, err)

    shown = subprocess.run(
        [*DRIFT, *config, "show", "--source", "plan", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    items = json.loads(shown.stdout)["items"]
    got = {(i["scope"], i["event"] if i["scope"] == "event" else i["name"]) for i in items}
    assert len(items) == len(expected) and got == expected

    engine = create_engine(db_url)
    with engine.connect() as conn:
        doubled = conn.execute(
            text(
                "SELECT key_id FROM item WHERE valid_to IS NULL GROUP BY key_id HAVING count(*) > 1"
            )
        ).all()
        snapshots = conn.execute(text("SELECT added, removed, changed FROM snapshot")).all()
    engine.dispose()
    assert doubled == []
    assert (
        sum(1 for s in snapshots if s.added) == 2
    )  # one first snapshot per source, then no change
