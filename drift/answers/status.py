"""The daily job's health: last run, next run, each source's freshness, deliveries not sent.

``drift status`` (and its exit code) and the Prometheus metrics (:mod:`drift.metrics`) are both
formatted from :func:`status`, so they can never disagree.

A source that silently stopped being read is the failure people miss, so every configured source
is listed with the age of its last good snapshot, and flagged when its last read failed, it was
never read, or it is more than :data:`STALE_AFTER` old.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from drift.app import App
from drift.cron import next_fire_time
from drift.model import SourceStatus, utcnow
from drift.report.escape import visible
from drift.store import outbox, runs
from drift.store.lease import LeaseState, read_lease
from drift.store.outbox import OpenDelivery
from drift.store.runs import RunInfo

__all__ = ["STALE_AFTER", "LeaseState", "OpenDelivery", "RunInfo", "SourceHealth", "Status"]

STALE_AFTER = dt.timedelta(days=2)


@dataclass(frozen=True)
class SourceHealth:
    """One source: its last outcome in a run and its last good snapshot."""

    source: str
    configured: bool
    last_outcome: runs.SourceRunInfo | None
    last_snapshot: runs.SnapshotAt | None
    age: dt.timedelta | None  # since the last good snapshot
    flag: str  # "ok", "failed", "stale: not read for N days", "never read", ...
    failures: int = 0  # failed reads in the kept run history

    @property
    def up(self) -> bool:
        """Its last read (in the newest run that tried it) succeeded."""
        outcome = self.last_outcome
        return outcome is not None and outcome.status is not SourceStatus.FAILED


@dataclass(frozen=True)
class Status:
    now: dt.datetime
    last_run: RunInfo | None
    next_run: dt.datetime | None
    lease: LeaseState | None  # only while held
    sources: tuple[SourceHealth, ...]
    deliveries: tuple[OpenDelivery, ...]  # not delivered: waiting, or given up on
    #: The newest digest's ``counts`` (``new_high``, ``policy_violations``...; empty: none yet).
    digest_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> tuple[str, ...]:
        """What makes the job unhealthy, one line each (empty: healthy)."""
        ran = self.last_run is not None
        found = [
            f"source {visible(s.source)}: {s.flag}"
            for s in self.sources
            if s.flag not in ("ok", "not configured") and (ran or s.flag != "never read")
        ]
        found += [
            f"delivery #{d.outbox_id} to {visible(d.channel)}: {d.status} after "
            f"{d.attempts} attempt(s)" + (f" ({d.last_error})" if _held(d) else "")
            for d in self.deliveries
            if d.stuck
        ]
        return tuple(found)

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def source_problem(self) -> bool:
        """A source failed, is stale or was never read although a run happened."""
        return any(p.startswith("source ") for p in self.problems)


def _held(delivery: OpenDelivery) -> bool:
    """Held back by a configuration problem found at send time (an unset ``*_env``)."""
    return (delivery.last_error or "").startswith(outbox.WAITING_FOR_CONFIG)


def status(app: App, now: dt.datetime | None = None) -> Status:
    """Everything ``drift status`` shows (and its exit code judges)."""
    now = now or utcnow()
    with app.database.session() as session:
        last = runs.last_runs(session, 1, include_dry_runs=False)
        lease = read_lease(session)
        snapshots = runs.last_successful_snapshot_per_source(session)
        outcomes = runs.last_source_outcomes(session)
        failures = runs.failure_counts(session)
        deliveries = tuple(outbox.undelivered(session))
        digest_counts = outbox.newest_digest_counts(session)
    configured = [s.name for s in app.config.sources]
    names = configured + sorted(set(snapshots) - set(configured))
    return Status(
        now=now,
        last_run=last[0] if last else None,
        next_run=next_fire_time(app.config.schedule, now),
        lease=lease if lease is not None and lease.holder is not None else None,
        sources=tuple(
            _health(n, n in configured, snapshots.get(n), outcomes.get(n), now, failures.get(n, 0))
            for n in names
        ),
        deliveries=deliveries,
        digest_counts=digest_counts,
    )


def _health(
    name: str,
    configured: bool,
    snap: runs.SnapshotAt | None,
    outcome: runs.SourceRunInfo | None,
    now: dt.datetime,
    failures: int,
) -> SourceHealth:
    age = now - snap.taken_at if snap else None
    flag = _flag(configured, snap, outcome, age)
    return SourceHealth(name, configured, outcome, snap, age, flag, failures)


def _flag(
    configured: bool,
    snap: runs.SnapshotAt | None,
    outcome: runs.SourceRunInfo | None,
    age: dt.timedelta | None,
) -> str:
    failed = outcome is not None and outcome.status is SourceStatus.FAILED
    stale = age is not None and age > STALE_AFTER
    if not configured:
        return "not configured"
    if snap is None:
        return "never read: failing" if failed else "never read"
    staleness = f"stale: not read for {age.days} days" if stale and age is not None else ""
    if failed:
        return f"failed ({staleness})" if staleness else "failed"
    return staleness or "ok"
