"""``drift schedule``: the long-running alternative to ``drift run`` from cron."""

from __future__ import annotations

import threading

import click

from drift.app import App
from drift.model import RunTrigger


@click.command("schedule")
@click.pass_obj
def schedule(app: App) -> None:
    """Run drift in the foreground on the [schedule] cron and timezone.

    Catches up a run missed while it was down (once), gives each run a hard deadline, and stops
    cleanly on SIGTERM/SIGINT: the current run is cancelled and the lease released. Run exactly
    one scheduler per database; the run lease guards against a second one.
    """
    from drift import pipeline
    from drift.scheduler import run_scheduled

    app.config.require_sources()  # refuse at start, not at 07:00

    def job(cancel: threading.Event, trigger: RunTrigger) -> int:
        return int(pipeline.run(app, cancel=cancel, trigger=trigger).exit_code)

    code = run_scheduled(app, job)
    if code:
        raise SystemExit(code)
