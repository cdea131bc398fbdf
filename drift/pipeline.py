"""The only module that calls every stage in order: fetch -> record -> diff -> classify -> report
-> notify. Stages do not import each other; values between them are frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from drift.app import App
from drift.diff.engine import compare
from drift.errors import DriftError
from drift.model import Change, Provenance, Schema, Scope
from drift.plugins import source_classes
from drift.sources.fetching import fetch_all
from drift.store import queries
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
                SourceOutcome(
                    source.name, types[source.name], "failed", str(result), None, result.transient
                )
            )
            continue
        schemas[source.name] = result
        if dry_run:
            outcomes.append(SourceOutcome(source.name, types[source.name], "read"))
            continue
        with app.database.session() as session:
            recorded = record_snapshot(
                session,
                result,
                source_type=types[source.name],
                taken_at=utcnow(),
                fetch_ms=elapsed_ms,
                run_id=run_id,
            )
        status = "unchanged" if recorded.unchanged else "read"
        outcomes.append(SourceOutcome(source.name, types[source.name], status, None, recorded))
    return outcomes, schemas


def diff_source(app: App, session: Session, source: str, a: int | None, b: int) -> list[Change]:
    """Changes of ``source`` from snapshot ``a`` (None: first run) to ``b``, from the intervals."""
    before, after = queries.touched_between(session, source, a, b)
    names = [k.name for k in after if k.scope is not Scope.EVENT]
    known = queries.names_seen_by(session, source, names, min(a, b) if a is not None else None)
    return compare(
        source,
        before,
        after,
        name_known=known.__contains__,
        absence_is_unlisting=_unlisting(app, source),
    )


def _unlisting(app: App, source: str) -> bool:
    """Observed sources and vendors that hide items report absence as "no longer listed"."""
    try:
        config = app.config.source(source)
    except DriftError:
        return False
    cls = source_classes().get(config.type)
    return bool(cls and (cls.absence_is_unlisting or cls.provenance is Provenance.OBSERVED))
