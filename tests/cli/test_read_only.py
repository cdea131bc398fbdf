"""Query commands open the database read-only (#13.12): `drift status` and `drift history` work on
a SQLite file the user may only read, and never write to a server database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from drift.errors import StoreError
from drift.store.database import Database
from tests.test_run import make_workdir, run


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory another user can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="drift-ro-"))
    path.chmod(0o755)
    yield path
    for sub in [path, *path.rglob("*")]:
        sub.chmod(0o755 if sub.is_dir() else 0o644)
    shutil.rmtree(path)


def test_status_and_history_work_on_a_read_only_sqlite_file(shared_dir: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to run drift as an unprivileged user")
    work = make_workdir(shared_dir, f"sqlite:///{shared_dir / 'drift.db'}")
    (work / "current" / "plan.json").write_text('{"events": {"Signup": {"properties": {}}}}')
    (work / "current" / "events.ndjson").write_text('{"event": "Page Viewed"}\n')
    assert run(work).exit_code == 0
    for path in [work, *work.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)  # nobody may write anything here
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    for command in (["status"], ["history"], ["show", "--source", "plan"]):
        done = subprocess.run(
            [
                *nobody,
                sys.executable,
                "-m",
                "drift",
                "--config",
                str(work / "drift.toml"),
                *command,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "readonly database" not in done.stderr, done.stderr
        assert done.returncode in (0, 3), (command, done.stderr)  # 3: status's health verdict
        assert "plan" in done.stdout


def test_a_read_only_database_refuses_writes(database: Database) -> None:
    with database.session():
        pass  # migrated by the writer
    reader = Database(database.url, read_only=True)
    try:
        with reader.session() as session:
            assert session.execute(text("SELECT count(*) FROM snapshot")).scalar() == 0
        with pytest.raises(StoreError), reader.session() as session:
            session.execute(text("DELETE FROM snapshot"))
    finally:
        reader.dispose()
