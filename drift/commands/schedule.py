"""``drift schedule``: the long-running alternative to ``drift run`` from cron."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from drift.app import App
from drift.model import RunTrigger


@click.command("schedule")
@click.option(
    "--metrics-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rewrite this Prometheus textfile after each run and retry (node_exporter).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve Prometheus metrics on this port (/metrics).",
)
@click.pass_obj
def schedule(app: App, metrics_file: Path | None, metrics_port: int | None) -> None:
    """Run drift in the foreground on the [schedule] cron and timezone.

    Catches up a run missed while it was down (once), gives each run a hard deadline, and stops
    cleanly on SIGTERM/SIGINT: the current run is cancelled and the lease released. Run exactly
    one scheduler per database; the run lease guards against a second one. Between runs, a digest
    waiting for a retry is delivered as soon as its backoff has passed (minutes, not a day).
    """
    from drift import pipeline
    from drift.scheduler import run_scheduled

    app.config.require_sources()  # refuse at start, not at 07:00

    def job(cancel: threading.Event, trigger: RunTrigger) -> int:
        return int(pipeline.run(app, cancel=cancel, trigger=trigger).exit_code)

    def after() -> None:
        if metrics_file is not None:
            from drift.metrics import write_textfile

            write_textfile(app, metrics_file)

    if metrics_port is not None:
        from drift.metrics import serve

        serve(app, metrics_port)
    after()
    code = run_scheduled(
        app, job, retry=lambda cancel: pipeline.deliver_due(app, cancel), after=after
    )
    if code:
        raise SystemExit(code)
