"""A long-running `drift schedule` survives the database dropping its idle connections."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from drift.store import queries
from drift.store.database import Database
from tests.conftest import BACKENDS


def _kill_other_connections(url: str) -> int:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as conn:
        if admin.dialect.name == "postgresql":
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": name},
            ).scalar()
        else:
            ids = (
                conn.execute(
                    text(
                        "SELECT id FROM information_schema.processlist "
                        "WHERE db = :db AND id <> CONNECTION_ID()"
                    ),
                    {"db": name},
                )
                .scalars()
                .all()
            )
            for connection_id in ids:
                conn.execute(text(f"KILL {int(connection_id)}"))
            killed = len(ids)
    admin.dispose()
    return int(killed or 0)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "sqlite"])
def test_the_next_session_reconnects_after_the_server_killed_idle_connections(
    backend: str, server_db_factory: Callable[[str], str]
) -> None:
    url = server_db_factory(backend)
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        assert queries.snapshots(session) == []
    assert _kill_other_connections(url) >= 1
    with db.session() as session:  # pool_pre_ping notices the dead connection and reconnects
        assert queries.snapshots(session) == []
    db.dispose()
