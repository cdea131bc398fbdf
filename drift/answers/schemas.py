"""The recorded schemas: each source's current one, one at a snapshot or date, the snapshot list.

A source that was never snapshotted is reported as missing, never as an empty schema: "no
violations" must not mean "not read".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drift.app import App
from drift.errors import ConfigError
from drift.model import Schema
from drift.store import queries
from drift.store.queries import SnapshotInfo

if TYPE_CHECKING:  # SQLAlchemy itself lives in drift/store/
    from sqlalchemy.orm import Session

__all__ = ["CurrentSchemas", "SchemaAt", "SnapshotInfo", "current_schemas", "schema_at"]


@dataclass(frozen=True)
class CurrentSchemas:
    """The latest schema of each source that has one, and the sources that have none."""

    schemas: Mapping[str, Schema]
    missing: tuple[str, ...]


def current_schemas(app: App, names: Iterable[str]) -> CurrentSchemas:
    with app.database.session() as session:
        return read_current(session, names)


def read_current(session: Session, names: Iterable[str]) -> CurrentSchemas:
    """:func:`current_schemas` inside an open session (the daily job's, before it commits)."""
    schemas: dict[str, Schema] = {}
    missing: list[str] = []
    for name in dict.fromkeys(names):
        snapshot_id = latest_snapshot(session, name)
        if snapshot_id is None:
            missing.append(name)
        else:
            schemas[name] = queries.state_at(session, snapshot_id)
    return CurrentSchemas(schemas, tuple(missing))


def latest_snapshot(session: Session, name: str) -> int | None:
    """The newest snapshot of ``name``; None when it was never recorded."""
    try:
        return queries.resolve_ref(session, name, "latest")
    except ConfigError:  # the source was never recorded
        return None


@dataclass(frozen=True)
class SchemaAt:
    snapshot: SnapshotInfo
    schema: Schema


def schema_at(app: App, source: str, at: str = "latest") -> SchemaAt:
    """A source's schema as it was at ``at``: a snapshot id, ``latest``, ``previous``, a date or
    an ISO datetime (in the configured timezone unless it carries an offset)."""
    app.config.source(source)  # a typo is named as such, not as "never snapshotted"
    with app.database.session() as session:
        snapshot_id = queries.resolve_ref(session, source, at, app.timezone)
        if snapshot_id is None:
            raise ConfigError(f"no snapshot of {source!r} on or before {at}")
        return SchemaAt(
            queries.snapshot_info(session, snapshot_id), queries.state_at(session, snapshot_id)
        )


def snapshots(app: App, source: str | None = None, limit: int = 50) -> tuple[SnapshotInfo, ...]:
    """Recorded snapshots, newest first (of one source, when named)."""
    if source:
        app.config.source(source)
    with app.database.session() as session:
        return tuple(queries.snapshots(session, source, limit))
