"""Committing a rendered digest in a test, with the run-less defaults the store tests share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from drift.model import RenderedDigest
from drift.store import outbox


def commit(
    session: Session,
    digest: RenderedDigest,
    *,
    now: dt.datetime,
    findings_json: str = "{}",
    channels: Sequence[str] = (),
) -> int:
    """``outbox.commit_digest`` for a digest of no run, rules "r" and no coverage; its id."""
    return outbox.commit_digest(
        session,
        digest,
        run_id=None,
        rules_hash="r",
        findings_json=findings_json,
        coverage={},
        channels=list(channels),
        now=now,
    )
