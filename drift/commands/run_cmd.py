"""``drift run`` and ``drift report``."""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path

import click

from drift import pipeline
from drift.answers import digest
from drift.app import App
from drift.model import Severity, SourceStatus
from drift.progress import PROGRESS_KEY, SILENT
from drift.report.escape import visible
from drift.report.render import render_for
from drift.scheduler import cancel_on_signals

EXIT_CODES = """
Exit codes: 0 ok; 1 error; 2 config or usage error; 3 some sources failed (the others were
recorded); 4 another run holds the lease; 5 findings at or above --fail-on (or policy violations);
6 a digest is not delivered (a channel refused it, or it waits for a retry: the error says when).
"""


@click.command(epilog=EXIT_CODES)
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--dry-run", is_flag=True, help="Fetch and render; record and send nothing.")
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high"]),
    help="Exit 5 when unacknowledged findings reach this severity (a CI gate).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the HTML digest to this file (handy with --dry-run).",
)
@click.option(
    "--metrics-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write Prometheus metrics to this textfile after the run (node_exporter).",
)
@click.pass_obj
def run(
    app: App,
    sources: tuple[str, ...],
    dry_run: bool,
    fail_on: str | None,
    output: Path | None,
    metrics_file: Path | None,
) -> None:
    """The daily job: fetch, record, diff, classify, render once, deliver."""
    progress = click.get_current_context().meta.get(PROGRESS_KEY, SILENT)
    with cancel_on_signals(threading.Event()) as cancel, closing(progress):
        result = pipeline.run(
            app,
            sources=sources,
            dry_run=dry_run,
            fail_on=Severity.parse(fail_on) if fail_on else None,
            cancel=cancel,
            progress=progress,
        )
    for outcome in result.outcomes:
        name = visible(outcome.name)
        if outcome.status is SourceStatus.FAILED:
            click.echo(f"{name}: failed (the error is logged on stderr)")
        else:
            rec = outcome.recorded
            click.echo(f"{name}: {outcome.status}" + (f", {rec.item_count} items" if rec else ""))
    if result.rendered is not None:
        click.echo(f"digest: {result.rendered.subject}")
        if output is not None:
            output.write_text(result.rendered.html, encoding="utf-8")
            click.echo(f"wrote {output}")
    for sent in result.deliveries:
        click.echo(
            f"delivery {sent.channel}: {sent.status}" + (f" ({sent.detail})" if sent.detail else "")
        )
    if dry_run:
        click.echo("dry run: nothing was recorded or sent")
    if metrics_file is not None:
        from drift.metrics import write_textfile

        write_textfile(app, metrics_file)
    raise SystemExit(result.exit_code)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "text", "markdown", "json", "slack"]),
    default="text",
    show_default=True,
    help="Digest format.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_obj
def report(app: App, fmt: str, output: Path | None) -> None:
    """Render what the next digest would say from what is recorded; send nothing."""
    composed = digest.report(app)
    text = render_for(composed.digest, fmt, app.config.digest.templates)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
