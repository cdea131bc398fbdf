"""Real `drift run` processes: two at once on one database, and SIGTERM in the middle of a fetch.

A source reading a named pipe (FIFO) blocks until the test writes to it: a slow vendor without
sleeps or timing guesses.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from drift.exitcodes import Exit
from drift.store.database import Database
from drift.store.lease import read_lease
from drift.store.tables import DigestRow, OutboxRow, SnapshotRow
from tests.test_run import DEMO, make_workdir

DRIFT = [sys.executable, "-m", "drift"]


def blocked_workdir(tmp_path: Path, db_url: str) -> Path:
    work = make_workdir(tmp_path, db_url, send_when_empty=False)
    shutil.copy(DEMO / "day1" / "plan.json", work / "current" / "plan.json")
    os.mkfifo(work / "current" / "events.ndjson")
    return work


def start_run(work: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*DRIFT, "--config", str(work / "drift.toml"), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lease(db_url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    db = Database(db_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            with db.session() as session:
                state = read_lease(session)
            if state is not None and state.holder:
                return
            time.sleep(0.1)
        raise AssertionError("the first run never took the lease")
    finally:
        db.dispose()


def feed(work: Path) -> None:
    with open(work / "current" / "events.ndjson", "w") as pipe:  # unblocks the reader
        pipe.write((DEMO / "day1" / "events.ndjson").read_text())


def count(db_url: str, table: type) -> int:
    db = Database(db_url)
    with db.session() as session:
        n = int(session.scalar(select(func.count()).select_from(table)) or 0)
    db.dispose()
    return n


def test_two_runs_at_once_deliver_one_digest(tmp_path: Path, db_url: str) -> None:
    work = blocked_workdir(tmp_path, db_url)
    first = start_run(work)
    wait_for_lease(db_url, first)
    second = subprocess.run(
        [*DRIFT, "--config", str(work / "drift.toml"), "run"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == Exit.LEASE_HELD
    assert "holds the lease" in second.stderr and "since" in second.stderr
    feed(work)
    _, err = first.communicate(timeout=60)
    assert first.returncode == Exit.OK, err
    assert count(db_url, DigestRow) == 1
    assert count(db_url, OutboxRow) == 1
    assert len(list((work / "reports").glob("*.json"))) == 1


def test_sigterm_during_a_slow_fetch_stops_cleanly(tmp_path: Path, db_url: str) -> None:
    work = blocked_workdir(tmp_path, db_url)
    proc = start_run(work)
    wait_for_lease(db_url, proc)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert proc.returncode != Exit.OK and "stopped" in err
    assert count(db_url, SnapshotRow) == 0  # no partial snapshot, not even of the fast source
    db = Database(db_url)
    with db.session() as session:
        state = read_lease(session)
    db.dispose()
    assert state is None or not state.holder  # released
    os.unlink(work / "current" / "events.ndjson")
    shutil.copy(DEMO / "day1" / "events.ndjson", work / "current" / "events.ndjson")
    again = subprocess.run(
        [*DRIFT, "--config", str(work / "drift.toml"), "run"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == Exit.OK, again.stderr
    digest = json.loads(next((work / "reports").glob("*.json")).read_text())
    assert digest["first_run"] is True
