"""``drift snapshot``, ``drift history``, ``drift show``."""

from __future__ import annotations

from contextlib import closing

import click

from drift import clockface, pipeline
from drift.answers import schemas
from drift.app import App
from drift.commands.output import emit, format_option
from drift.exitcodes import Exit
from drift.logs import problem
from drift.progress import PROGRESS_KEY, SILENT
from drift.report.escape import visible


@click.command()
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    help="Seconds to wait for a running `drift run` (the run lease) before giving up (exit 4).",
)
@format_option("table", "json")
@click.pass_obj
def snapshot(app: App, names: tuple[str, ...], wait: float, fmt: str) -> None:
    """Fetch the sources and record a snapshot of each (no diff, no digest)."""
    progress = click.get_current_context().meta.get(PROGRESS_KEY, SILENT)
    with closing(progress):
        outcomes = pipeline.snapshot(app, names, wait=wait, progress=progress)
    rows = []
    for outcome in outcomes:
        rec = outcome.recorded
        rows.append(
            {
                "source": outcome.name,
                "status": outcome.status,
                "snapshot": rec.snapshot_id if rec else None,
                "items": rec.item_count if rec else None,
                "added": rec.added if rec else None,
                "removed": rec.removed if rec else None,
                "changed": rec.changed if rec else None,
                "error": outcome.error,
            }
        )
    if fmt == "json":
        emit(rows, fmt, [])
    else:
        for row in rows:
            if row["error"]:
                problem(
                    f"{visible(str(row['source']))}: failed: {row['error']}",
                    event="source_failed",
                    source=str(row["source"]),
                )
            else:
                click.echo(
                    f"{visible(str(row['source']))}: snapshot {row['snapshot']}, "
                    f"{row['items']} items, "
                    f"+{row['added']} added, -{row['removed']} removed, ~{row['changed']} changed"
                )
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(Exit.PARTIAL)


@click.command()
@click.option("--source", help="Only this source.")
@click.option("--limit", type=int, default=50, show_default=True, help="Newest N snapshots.")
@format_option("table", "json", "csv", "markdown")
@click.pass_obj
def history(app: App, source: str | None, limit: int, fmt: str) -> None:
    """List recorded snapshots: time, content hash and counts."""
    infos = schemas.snapshots(app, source, limit)
    rows = [
        {
            "id": i.id,
            "source": i.source,
            "taken_at": clockface.iso(i.taken_at, app.timezone),
            "content_hash": i.content_hash[:12] if fmt == "table" else i.content_hash,
            "items": i.item_count,
            "added": i.added,
            "removed": i.removed,
            "changed": i.changed,
            "provenance": i.provenance,
        }
        for i in infos
    ]
    emit(
        rows,
        fmt,
        ["id", "source", "taken_at", "content_hash", "items", "added", "removed", "changed"],
        title=f"Snapshots (newest first, times in {app.timezone})",
    )


@click.command()
@click.option("--source", required=True, help="Source name.")
@click.option(
    "--at",
    "at",
    default="latest",
    show_default=True,
    help="Snapshot id, 'latest', 'previous', a date or an ISO datetime.",
)
@format_option("table", "json", "csv", "markdown")
@click.pass_obj
def show(app: App, source: str, at: str, fmt: str) -> None:
    """Show a source's schema as it was at a snapshot or date."""
    found = schemas.schema_at(app, source, at)
    info, schema = found.snapshot, found.schema
    rows = [
        {
            "scope": str(item.scope),
            "event": item.event,
            "name": item.name,
            "type": list(item.types),
            "description": item.description,
            "definition": dict(item.definition),
        }
        for item in schema.items
    ]
    document = {
        "source": source,
        "snapshot": {
            "id": info.id,
            "taken_at": clockface.iso(info.taken_at, app.timezone),
            "content_hash": info.content_hash,
        },
        "items": rows,
    }
    title = f"{source} at snapshot {info.id} ({clockface.minute(info.taken_at, app.timezone)})"
    emit(
        rows, fmt, ["scope", "event", "name", "type", "description"], title=title, document=document
    )
