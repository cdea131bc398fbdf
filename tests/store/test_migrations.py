"""Alembic owns the schema: one head, upgrade from empty on every backend, models match."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from drift.errors import StoreError
from drift.store.database import Database
from drift.store.tables import Base
from tests.conftest import BACKENDS


def test_single_head_and_numbered_revisions() -> None:
    db = Database("sqlite://")
    script = ScriptDirectory.from_config(db.alembic_config())
    assert len(script.get_heads()) == 1
    revisions = [r.revision for r in script.walk_revisions()]
    assert all(r.isdigit() and len(r) == 4 for r in revisions)


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_empty_and_models_match(backend: str, server_db_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else server_db_factory(backend)
    db = Database(url, auto_upgrade_sqlite=False)
    assert db.current() is None
    before, after = db.upgrade()
    assert (before, after) == (None, db.head())
    assert set(inspect(db.engine).get_table_names()) >= {
        t.name for t in Base.metadata.sorted_tables
    }
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    assert db.upgrade() == (db.head(), db.head())  # idempotent
    db.dispose()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "sqlite"])
def test_server_database_on_old_schema_refuses_with_the_fix(
    backend: str, server_db_factory
) -> None:  # type: ignore[no-untyped-def]
    db = Database(server_db_factory(backend))
    with pytest.raises(StoreError, match="drift db upgrade"), db.session():
        pass
    db.dispose()


def test_sqlite_upgrades_itself_on_first_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    with db.session():
        pass
    assert db.current() == db.head()
    db.dispose()
