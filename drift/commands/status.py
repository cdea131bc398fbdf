"""``drift status``: is the daily job healthy? Last run, each source's freshness, stuck deliveries.

A source that silently stopped being read is the failure people miss, so every configured source is
listed with the age of its last good snapshot, and flagged if its last read failed, it was never
read, or it is > 2 days old. The exit code makes it a health check (Docker HEALTHCHECK, a probe,
a monitoring script): 0 healthy; 3 a source failed, is stale or was never read although a run
happened; 6 a delivery is stuck (tried and not delivered).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from drift import clockface
from drift.app import App
from drift.commands.output import emit, format_option
from drift.cron import next_fire_time
from drift.exitcodes import Exit
from drift.logs import problem
from drift.model import DeliveryStatus, SourceStatus, utcnow
from drift.report.escape import visible
from drift.store import outbox, runs
from drift.store.lease import read_lease
from drift.store.tables import OutboxRow

STALE_AFTER = dt.timedelta(days=2)


def collect(app: App, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything ``drift status`` shows, as plain data (also the JSON output)."""
    now, tz = now or utcnow(), app.timezone
    with app.database.session() as session:
        last = runs.last_runs(session, 1, include_dry_runs=False)
        document: dict[str, Any] = {
            "now": _iso(now, tz),
            "last_run": _run(last[0], tz) if last else None,
            "next_run": _iso(next_fire_time(app.config.schedule, now), tz),
            "schedule": {
                "cron": app.config.schedule.cron,
                "timezone": app.config.schedule.timezone,
            },
            "lease": _lease(session, tz),
            "sources": _sources(app, session, now, tz),
            "deliveries": _deliveries(session, tz),
        }
    document["problems"] = problems(document)
    document["healthy"] = not document["problems"]
    return document


def problems(document: dict[str, Any]) -> list[str]:
    """What makes the job unhealthy, one line each (empty: healthy)."""
    ran = document["last_run"] is not None
    found = [
        f"source {visible(s['source'])}: {s['flag']}"
        for s in document["sources"]
        if s["flag"] not in ("ok", "not configured") and (ran or s["flag"] != "never read")
    ]
    found += [
        f"delivery #{d['outbox_id']} to {visible(d['channel'])}: {d['status']} after "
        f"{d['attempts']} attempt(s)" + (f" ({d['last_error']})" if _held(d) else "")
        for d in document["deliveries"]
        if d["status"] == "failed" or _held(d) or (_waiting(d) and d["attempts"] > 0)
    ]
    return found


def _held(delivery: dict[str, Any]) -> bool:
    """Held back by a configuration problem found at send time (an unset ``*_env``)."""
    return str(delivery["last_error"] or "").startswith(outbox.WAITING_FOR_CONFIG)


def _waiting(delivery: dict[str, Any]) -> bool:
    resend = delivery["status"] == outbox.POSSIBLY_DELIVERED and delivery["next_attempt_at"]
    return delivery["status"] == outbox.PENDING or bool(resend)


def exit_code(document: dict[str, Any]) -> Exit:
    if any(p.startswith("source ") for p in document["problems"]):
        return Exit.PARTIAL
    return Exit.DELIVERY if document["problems"] else Exit.OK


def _run(info: runs.RunInfo, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "status": info.status,
        "phase": info.phase,
        "trigger": info.trigger,
        "started_at": _iso(info.started_at, tz),
        "finished_at": _iso(info.finished_at, tz),
        "exit_code": info.exit_code,
        "error": info.error,
    }


def _lease(session: Session, tz: dt.tzinfo) -> dict[str, Any] | None:
    state = read_lease(session)
    if state is None or state.holder is None:
        return None
    return {
        "holder": state.holder,
        "since": _iso(state.acquired_at, tz),
        "expires": _iso(state.expires_at, tz),
    }


def _sources(app: App, session: Session, now: dt.datetime, tz: dt.tzinfo) -> list[dict[str, Any]]:
    snapshots = runs.last_successful_snapshot_per_source(session)
    outcomes = runs.last_source_outcomes(session)
    configured = [s.name for s in app.config.sources]
    names = configured + sorted(set(snapshots) - set(configured))
    return [
        _source(name, name in configured, snapshots.get(name), outcomes.get(name), now, tz)
        for name in names
    ]


def _source(
    name: str,
    configured: bool,
    snap: runs.SnapshotAt | None,
    outcome: runs.SourceRunInfo | None,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> dict[str, Any]:
    age = now - snap.taken_at if snap else None
    flag = _flag(configured, snap is not None, outcome, age)
    return {
        "source": name,
        "last_outcome": outcome.status if outcome else None,
        "last_error": outcome.error if outcome else None,
        "last_run": outcome.run_id if outcome else None,
        "last_snapshot": snap.snapshot_id if snap else None,
        "last_snapshot_at": _iso(snap.taken_at, tz) if snap else None,
        "age_hours": round(age.total_seconds() / 3600, 1) if age is not None else None,
        "flag": flag,
    }


def _flag(
    configured: bool, read: bool, outcome: runs.SourceRunInfo | None, age: dt.timedelta | None
) -> str:
    failed = outcome is not None and outcome.status is SourceStatus.FAILED
    stale = age is not None and age > STALE_AFTER
    if not configured:
        return "not configured"
    if not read:
        return "never read: failing" if failed else "never read"
    staleness = f"stale: not read for {age.days} days" if stale and age is not None else ""
    if failed:
        return f"failed ({staleness})" if staleness else "failed"
    return staleness or "ok"


def _deliveries(session: Session, tz: dt.tzinfo) -> list[dict[str, Any]]:
    """Outbox rows not sent: pending retries and permanent failures, with the last error."""
    rows = session.scalars(
        select(OutboxRow)
        .where(OutboxRow.status != DeliveryStatus.SENT.value)
        .order_by(OutboxRow.id)
    )
    return [
        {
            "outbox_id": r.id,
            "digest_id": r.digest_id,
            "channel": r.channel,
            "status": r.status,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "next_attempt_at": _iso(r.next_attempt_at, tz),
            "created_at": _iso(r.created_at, tz),
        }
        for r in rows
    ]


def _iso(moment: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return clockface.iso(moment, tz)


@click.command("status")
@format_option("table", "json")
@click.pass_obj
def status(app: App, fmt: str) -> None:
    """Last run, next scheduled run, each source's freshness, and deliveries not yet sent.

    A health check: exits 3 when a source's last read failed, it is stale (> 2 days) or was never
    read although a run happened; 6 when a delivery is stuck; 0 when healthy.
    """
    document = collect(app)
    if fmt == "json":
        emit([], fmt, [], document=document)
        raise SystemExit(exit_code(document))
    _print_summary(document)
    emit(
        document["sources"],
        "table",
        ["source", "last_outcome", "last_snapshot_at", "age_hours", "flag", "last_error"],
        title=f"Sources (times in {app.timezone})",
    )
    if document["deliveries"]:
        emit(
            document["deliveries"],
            "table",
            ["outbox_id", "channel", "status", "attempts", "next_attempt_at", "last_error"],
            title=f"Deliveries not sent (times in {app.timezone})",
        )
    _print_health(document)
    raise SystemExit(exit_code(document))


def _print_health(document: dict[str, Any]) -> None:
    if document["healthy"]:
        click.echo("healthy")
        return
    for line in document["problems"]:
        problem(f"unhealthy: {line}", event="unhealthy")


def _print_summary(document: dict[str, Any]) -> None:
    last, zone = document["last_run"], document["schedule"]["timezone"]
    if last:
        click.echo(
            f"last run: #{last['id']} {last['status']} (exit {last['exit_code']}, "
            f"{last['trigger']}) started {last['started_at']} {zone}"
        )
        if last["error"]:
            click.echo(f"  error: {visible(last['error'])}")
    else:
        click.echo("last run: none yet")
    schedule = document["schedule"]
    click.echo(f"next run: {document['next_run']} ({schedule['cron']} in {schedule['timezone']})")
    lease = document["lease"]
    if lease:
        click.echo(
            f"lease held by {lease['holder']} since {lease['since']} "
            f"(expires {lease['expires']}, {zone})"
        )
