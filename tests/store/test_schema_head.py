"""The schema check reads one row, not Alembic: its answers must be Alembic's own."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from drift.resources import migrations_dir
from drift.store.database import Database
from drift.store.revision import schema_head


def test_head_read_from_the_migration_files_is_alembics() -> None:
    """Alembic reads the same migration files drift ships (no database involved: once, not per
    backend)."""
    alembic_head = ScriptDirectory(str(migrations_dir())).get_current_head()
    assert alembic_head is not None
    assert schema_head() == alembic_head


def _alembic_current(database: Database) -> str | None:
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_current_revision_is_alembics_at_head_and_behind(database: Database) -> None:
    head = schema_head()
    assert database.current() == _alembic_current(database) == head
    stamp = text("UPDATE alembic_version SET version_num = :v")
    with database.engine.begin() as conn:
        conn.execute(stamp, {"v": "0005"})
    try:
        assert database.current() == _alembic_current(database) == "0005"
    finally:  # the server databases are shared by the session's tests
        with database.engine.begin() as conn:
            conn.execute(stamp, {"v": head})


def test_an_empty_database_has_no_revision(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}", auto_upgrade_sqlite=False)
    try:
        assert database.current() is None
    finally:
        database.dispose()
