"""The only module that calls every stage in order: fetch -> record -> diff -> classify -> report
-> notify. Stages do not import each other; values between them are frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from drift.app import App
from drift.errors import DriftError
from drift.model import Schema
from drift.sources.fetching import fetch_all
from drift.store.record import Recorded, record_snapshot


@dataclass(frozen=True)
class SourceOutcome:
    """What happened to one source in one run: read, unchanged, or failed (with the reason)."""

    name: str
    type: str
    status: str  # read | unchanged | failed
    error: str | None = None
    recorded: Recorded | None = None
    transient: bool = False


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def snapshot(
    app: App,
    names: list[str] | tuple[str, ...] = (),
    *,
    run_id: int | None = None,
    cancel: threading.Event | None = None,
    dry_run: bool = False,
) -> tuple[list[SourceOutcome], dict[str, Schema]]:
    """Fetch the sources concurrently, then record each success in its own transaction.

    A source that fails records nothing, so its history never looks like "everything removed".
    """
    sources = app.sources(names, cancel)
    types = {s.name: s.config.type for s in sources}
    started = time.monotonic()
    results = fetch_all(sources)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    outcomes: list[SourceOutcome] = []
    schemas: dict[str, Schema] = {}
    for source in sources:
        result = results[source.name]
        if isinstance(result, DriftError):
            outcomes.append(
                SourceOutcome(source.name, types[source.name], "failed", str(result), None, result.transient)
            )
            continue
        schemas[source.name] = result
        if dry_run:
            outcomes.append(SourceOutcome(source.name, types[source.name], "read"))
            continue
        with app.database.session() as session:
            recorded = record_snapshot(
                session, result, source_type=types[source.name], taken_at=utcnow(),
                fetch_ms=elapsed_ms, run_id=run_id,
            )
        status = "unchanged" if recorded.unchanged else "read"
        outcomes.append(SourceOutcome(source.name, types[source.name], status, None, recorded))
    return outcomes, schemas
