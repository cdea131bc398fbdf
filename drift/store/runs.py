"""The run ledger: what each run did, phase by phase, and what happened to each source.

Why a ledger: ``drift status`` shows it, the scheduler's catch-up reads it ("did a run start after
the last fire time?"), and a run that died half-way is visible instead of silently missing.
A run row is written only while holding the run lease, so it carries the holder and fencing token.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from drift.model import RunPhase, RunStatus, RunTrigger, SourceStatus, utcnow
from drift.store.tables import RunRow, RunSourceRow, SnapshotRow, SourceRow

E = TypeVar("E", bound=StrEnum)

#: What a source's outcome in a run can be (the digest-only ``first_run`` is never stored).
LEDGER_SOURCE_STATUSES = (SourceStatus.READ, SourceStatus.UNCHANGED, SourceStatus.FAILED)


@dataclass(frozen=True)
class RunInfo:
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: RunStatus
    phase: RunPhase
    trigger: RunTrigger
    holder: str
    fencing_token: int
    dry_run: bool
    exit_code: int | None
    error: str | None


@dataclass(frozen=True)
class SourceRunInfo:
    """One source's outcome in one run."""

    run_id: int
    source: str
    status: SourceStatus
    error: str | None
    snapshot_id: int | None
    duration_ms: int
    started_at: dt.datetime


@dataclass(frozen=True)
class SnapshotAt:
    """The newest snapshot of a source: when it was taken (a successful read)."""

    source: str
    snapshot_id: int
    taken_at: dt.datetime


def start_run(
    session: Session,
    *,
    trigger: RunTrigger | str,
    holder: str,
    fencing_token: int,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Insert a ``running`` run in phase ``started``; returns its id."""
    row = RunRow(
        started_at=now or utcnow(),
        status=RunStatus.RUNNING.value,
        phase=RunPhase.STARTED.value,
        trigger=_expect(RunTrigger, trigger, "trigger").value,
        holder=holder[:200],
        fencing_token=fencing_token,
        dry_run=dry_run,
    )
    session.add(row)
    session.flush()
    return row.id


def advance(session: Session, run_id: int, phase: RunPhase | str) -> None:
    """Record the last durable phase the run reached."""
    value = _expect(RunPhase, phase, "phase").value
    session.execute(update(RunRow).where(RunRow.id == run_id).values(phase=value))


def record_source(
    session: Session,
    run_id: int,
    source: str,
    status: SourceStatus | str,
    *,
    error: str | None = None,
    snapshot_id: int | None = None,
    duration_ms: int = 0,
) -> None:
    """One source's outcome in this run (read, unchanged or failed, with the reason)."""
    value = _expect(SourceStatus, status, "source status")
    if value not in LEDGER_SOURCE_STATUSES:
        raise ValueError(f"unknown run source status {value.value!r}")
    session.add(
        RunSourceRow(
            run_id=run_id,
            source_name=source,
            status=value.value,
            error=error[:2000] if error else None,
            snapshot_id=snapshot_id,
            duration_ms=duration_ms,
        )
    )


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: RunStatus | str,
    exit_code: int,
    error: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Close the run: completed, partial, failed or aborted, with its exit code."""
    final = _expect(RunStatus, status, "status")
    if not final.final:
        raise ValueError("a finished run needs a final status, not 'running'")
    session.execute(
        update(RunRow)
        .where(RunRow.id == run_id)
        .values(
            status=final.value,
            exit_code=exit_code,
            error=error[:2000] if error else None,
            finished_at=now or utcnow(),
        )
    )


def close_orphaned_runs(session: Session, *, holder: str, now: dt.datetime | None = None) -> int:
    """Mark runs still ``running`` under another holder as failed: their process died.

    Call while holding the lease: then no other run can be alive, so ``running`` is a lie.
    """
    result = session.execute(
        update(RunRow)
        .where(RunRow.status == RunStatus.RUNNING.value, RunRow.holder != holder)
        .values(
            status=RunStatus.FAILED.value,
            finished_at=now or utcnow(),
            error="the process ended without finishing this run (crash, kill or lost lease)",
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def last_runs(session: Session, limit: int = 10, *, include_dry_runs: bool = True) -> list[RunInfo]:
    """Newest runs first."""
    query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
    if not include_dry_runs:
        query = query.where(RunRow.dry_run.is_(False))
    return [_run_info(row) for row in session.scalars(query)]


def last_completed_run_at(session: Session) -> dt.datetime | None:
    """Start of the newest real run that completed (fully or partly)."""
    return session.scalar(
        select(func.max(RunRow.started_at)).where(
            RunRow.status.in_((RunStatus.COMPLETED.value, RunStatus.PARTIAL.value)),
            RunRow.dry_run.is_(False),
        )
    )


def last_started_run_at(session: Session) -> dt.datetime | None:
    """Start of the newest real run that was not aborted by a shutdown (the catch-up test).

    A crashed run (still ``running``) or a failed one counts: re-running it at every restart of a
    crash-looping container would hammer the vendors. An aborted one (SIGTERM) does not count.
    """
    return session.scalar(
        select(func.max(RunRow.started_at)).where(
            RunRow.status != RunStatus.ABORTED.value, RunRow.dry_run.is_(False)
        )
    )


def last_successful_snapshot_per_source(session: Session) -> dict[str, SnapshotAt]:
    """Source name -> its newest snapshot (every snapshot is a successful, complete read)."""
    newest = (
        select(SnapshotRow.source_id, func.max(SnapshotRow.id).label("snapshot_id"))
        .group_by(SnapshotRow.source_id)
        .subquery()
    )
    query = (
        select(SourceRow.name, SnapshotRow.id, SnapshotRow.taken_at)
        .join(newest, newest.c.snapshot_id == SnapshotRow.id)
        .join(SourceRow, SourceRow.id == SnapshotRow.source_id)
    )
    return {name: SnapshotAt(name, sid, taken) for name, sid, taken in session.execute(query)}


def last_source_outcomes(session: Session) -> dict[str, SourceRunInfo]:
    """Source name -> its outcome in the newest run that tried it."""
    newest = (
        select(RunSourceRow.source_name, func.max(RunSourceRow.run_id).label("run_id"))
        .group_by(RunSourceRow.source_name)
        .subquery()
    )
    query = (
        select(RunSourceRow, RunRow.started_at)
        .join(
            newest,
            (newest.c.source_name == RunSourceRow.source_name)
            & (newest.c.run_id == RunSourceRow.run_id),
        )
        .join(RunRow, RunRow.id == RunSourceRow.run_id)
    )
    return {
        row.source_name: SourceRunInfo(
            row.run_id,
            row.source_name,
            SourceStatus(row.status),
            row.error,
            row.snapshot_id,
            row.duration_ms,
            started,
        )
        for row, started in session.execute(query)
    }


def failure_counts(session: Session) -> dict[str, int]:
    """Source name -> how many of its reads failed, in the kept run history."""
    query = (
        select(RunSourceRow.source_name, func.count())
        .where(RunSourceRow.status == SourceStatus.FAILED.value)
        .group_by(RunSourceRow.source_name)
    )
    return {name: count for name, count in session.execute(query)}


def run_sources(session: Session, run_id: int) -> list[SourceRunInfo]:
    started = session.scalar(select(RunRow.started_at).where(RunRow.id == run_id))
    rows = session.scalars(
        select(RunSourceRow).where(RunSourceRow.run_id == run_id).order_by(RunSourceRow.id)
    )
    return [
        SourceRunInfo(
            r.run_id,
            r.source_name,
            SourceStatus(r.status),
            r.error,
            r.snapshot_id,
            r.duration_ms,
            started,
        )
        for r in rows
        if started is not None
    ]


def _run_info(row: RunRow) -> RunInfo:
    return RunInfo(
        row.id,
        row.started_at,
        row.finished_at,
        RunStatus(row.status),
        RunPhase(row.phase),
        RunTrigger(row.trigger),
        row.holder,
        row.fencing_token,
        bool(row.dry_run),
        row.exit_code,
        row.error,
    )


def _expect(kind: type[E], value: E | str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(kind)
        raise ValueError(f"unknown run {what} {value!r} (expected one of {allowed})") from None
