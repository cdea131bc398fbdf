"""``drift prune``: retention for snapshots, runs, and delivered digests."""

from __future__ import annotations

import click

from drift.answers.maintenance import prune_history
from drift.app import App
from drift.commands.output import emit, format_option


@click.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    required=True,
    help="Remove history older than this many days.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
@format_option("table", "json")
@click.pass_obj
def prune_cmd(app: App, days: int, dry_run: bool, fmt: str) -> None:
    """Remove snapshots, runs and delivered digests older than N days, keeping what the kept
    history needs (first-seen dates, each source's newest snapshot and baseline digest)."""
    counts = prune_history(app, days, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    rows = [{"table": name, verb: count} for name, count in counts.as_dict().items()]
    document = {"dry_run": dry_run, "older_than_days": days, "removed": counts.as_dict()}
    emit(rows, fmt, ["table", verb], title=f"drift prune --older-than {days}", document=document)
