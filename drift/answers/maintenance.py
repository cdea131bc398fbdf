"""Retention: remove history older than N days, keeping what the kept history needs."""

from __future__ import annotations

import datetime as dt

from drift.app import App
from drift.model import utcnow
from drift.store.lease import RunLease
from drift.store.prune import PruneCounts, prune

__all__ = ["PruneCounts", "prune_history"]


def prune_history(app: App, older_than_days: int, *, dry_run: bool = False) -> PruneCounts:
    """Prune under the run lease (a run recording meanwhile would race the deletes), committed
    only if the lease is still ours (its fencing check, as for every result commit); a dry run
    counts inside a transaction that is rolled back."""
    cutoff = utcnow() - dt.timedelta(days=older_than_days)
    if dry_run:
        with app.database.scratch() as session:
            return prune(session, cutoff)
    with RunLease(app.database) as lease, lease.committing() as session:
        return prune(session, cutoff)
