"""Databases held at an old revision, for the tests of the migrations that follow it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command

from drift.store.database import Database


def at(
    revision: str, backend: str, server_db_factory: Callable[[str], str], tmp_path: Path
) -> Database:
    """A fresh database on ``backend`` migrated up to ``revision`` only (no automatic upgrade of
    SQLite: the test decides when the later revisions run)."""
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else server_db_factory(backend)
    db = Database(url, auto_upgrade_sqlite=False)
    migrate(db, revision)
    return db


def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) to ``revision`` in one transaction where the backend allows it."""
    cfg = db.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
