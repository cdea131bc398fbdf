"""``drift status``: is the daily job healthy? Last run, each source's freshness, stuck deliveries.

The answer comes from :mod:`drift.answers.status`; this module formats it. The exit code makes it
a health check (Docker HEALTHCHECK, a probe, a monitoring script): 0 healthy; 3 a source failed,
is stale or was never read although a run happened; 6 a delivery is stuck (tried and not
delivered).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from drift import clockface
from drift.answers import status as health
from drift.answers.status import OpenDelivery, RunInfo, SourceHealth, Status
from drift.app import App
from drift.commands.output import emit, format_option
from drift.exitcodes import Exit
from drift.logs import problem
from drift.report.escape import visible


def as_document(found: Status, tz: dt.tzinfo, app: App) -> dict[str, Any]:
    """Everything ``drift status`` shows, as plain data (also the JSON output)."""
    schedule = app.config.schedule
    lease = found.lease
    problems = list(found.problems)
    return {
        "now": _iso(found.now, tz),
        "last_run": _run(found.last_run, tz) if found.last_run else None,
        "next_run": _iso(found.next_run, tz),
        "schedule": {"cron": schedule.cron, "timezone": schedule.timezone},
        "lease": {
            "holder": lease.holder,
            "since": _iso(lease.acquired_at, tz),
            "expires": _iso(lease.expires_at, tz),
        }
        if lease
        else None,
        "sources": [_source(s, tz) for s in found.sources],
        "deliveries": [_delivery(d, tz) for d in found.deliveries],
        "problems": problems,
        "healthy": not problems,
    }


def exit_code(found: Status) -> Exit:
    if found.source_problem:
        return Exit.PARTIAL
    return Exit.DELIVERY if found.problems else Exit.OK


def _run(info: RunInfo, tz: dt.tzinfo) -> dict[str, Any]:
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


def _source(health: SourceHealth, tz: dt.tzinfo) -> dict[str, Any]:
    outcome, snap, age = health.last_outcome, health.last_snapshot, health.age
    return {
        "source": health.source,
        "last_outcome": outcome.status if outcome else None,
        "last_error": outcome.error if outcome else None,
        "last_run": outcome.run_id if outcome else None,
        "last_snapshot": snap.snapshot_id if snap else None,
        "last_snapshot_at": _iso(snap.taken_at, tz) if snap else None,
        "age_hours": round(age.total_seconds() / 3600, 1) if age is not None else None,
        "flag": health.flag,
    }


def _delivery(d: OpenDelivery, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "outbox_id": d.outbox_id,
        "digest_id": d.digest_id,
        "channel": d.channel,
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
        "next_attempt_at": _iso(d.next_attempt_at, tz),
        "created_at": _iso(d.created_at, tz),
    }


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
    found = health.status(app)
    document = as_document(found, app.timezone, app)
    if fmt == "json":
        emit([], fmt, [], document=document)
        raise SystemExit(exit_code(found))
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
    raise SystemExit(exit_code(found))


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
