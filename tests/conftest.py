"""Shared fixtures: real databases (SQLite, PostgreSQL, MariaDB), isolated environment, clocks.

The store-backed tests run once per backend. Which backends: ``DRIFT_TEST_BACKENDS`` (default all
three). A listed backend that cannot be reached FAILS the run; it is never silently skipped.
Server URLs: ``DRIFT_TEST_PG_URL`` / ``DRIFT_TEST_MARIADB_URL`` (defaults: this machine's services).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from drift.model import system_clock, use_clock
from drift.store.database import Database
from drift.store.tables import Base

REPO = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "cases"

SERVER_URLS = {
    "postgresql": os.environ.get(
        "DRIFT_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get("DRIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = [
    b.strip()
    for b in os.environ.get("DRIFT_TEST_BACKENDS", "sqlite,postgresql,mariadb").split(",")
    if b.strip()
]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's drift config, database URL or vendor secrets."""
    for name in list(os.environ):
        if name.startswith(
            ("DRIFT_", "MIXPANEL_", "AMPLITUDE_", "SEGMENT_", "POSTHOG_", "SMTP_", "SLACK_")
        ) and not name.startswith("DRIFT_TEST_"):
            monkeypatch.delenv(name, raising=False)
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # kept plan reads (sources/known_reads.py) go to the test's own folder, never the user's cache
    monkeypatch.setenv("DRIFT_CACHE_DIR", str(tmp_path / "drift-cache"))


def _server_database(backend: str) -> Iterator[str]:
    """A fresh, uniquely named database on the server for this test session."""
    base = make_url(SERVER_URLS[backend])
    name = f"drift_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(
                    text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                )
    except Exception as exc:
        pytest.fail(
            f"{backend} at {base.render_as_string(hide_password=True)} is not reachable: {exc}"
        )
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture(scope="session")
def server_db_factory() -> Iterator[object]:
    """Call with a backend name to get an empty database URL (dropped at session end)."""
    made: list[Iterator[str]] = []

    def make(backend: str) -> str:
        gen = _server_database(backend)
        made.append(gen)
        return next(gen)

    yield make
    for gen in made:
        for _ in gen:
            pass


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory, server_db_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One migrated database per backend, reused (and emptied) between tests."""
    urls: dict[str, str] = {}
    for backend in BACKENDS:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
            url = f"sqlite:///{path}"
        else:
            url = server_db_factory(backend)
        db = Database(url)
        db.upgrade()
        db.dispose()
        urls[backend] = url
    return urls


def _empty(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name in ("mysql", "mariadb"):
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        if engine.dialect.name in ("mysql", "mariadb"):
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, _migrated: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    """A migrated, empty database URL on each backend."""
    backend = request.param
    if backend == "sqlite":
        template = make_url(_migrated["sqlite"]).database
        assert template
        copy = tmp_path / "drift.db"
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"
        return
    url = _migrated[backend]
    _empty(url)
    yield url
    _empty(url)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


class SettableClock:
    """A clock tests set by hand; installed through drift's public seam, ``use_clock``."""

    def __init__(self) -> None:
        self.now: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.now if self.now is not None else system_clock()

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> Iterator[SettableClock]:
    """Every "now" in drift reads this clock while the test runs (unset: the wall clock)."""
    settable = SettableClock()
    with use_clock(settable):
        yield settable
